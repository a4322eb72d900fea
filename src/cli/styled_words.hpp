#pragma once
// Words of user text with SGR styles, wrapped by display width: the paragraphs of
// markdown_terminal.cpp.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mailer::cli {

// Styles, as bits: bit i is SGR attribute i + 1.
constexpr unsigned kBold = 1, kDim = 2, kItalic = 4, kUnderline = 8;

// The SGR escape that sets `style` (not 0), e.g. "\x1b[1;4m" for kBold | kUnderline.
std::string sgr(unsigned style);

// A paragraph as words, the spaces between them (where a line may break) and hard breaks.
class StyledWords {
 public:
  struct Piece {
    std::string text;  // control characters already escaped
    unsigned style;
  };
  struct Token {
    enum Kind { word, space, hard_break } kind;
    std::vector<Piece> pieces;
    std::size_t width = 0;  // display columns
  };
  struct Line {
    std::vector<const Token*> words;  // into the StyledWords, which must outlive the line
    std::size_t width = 0;
  };

  bool empty() const { return tokens_.empty(); }
  void clear() { tokens_.clear(); }

  // Text that breaks at its spaces, tabs and newlines and joins the words it touches (so
  // "*" + "word" + "*" is one word). Control characters are shown as utf8::visible's escapes.
  void text(std::string_view text, unsigned style);
  void space();
  void hard_break();

  // Greedy word wrap: a word goes on the next line when it would pass `columns`; a word wider
  // than `columns` has a line of its own, unbroken.
  std::vector<Line> wrap(std::size_t columns) const;

  // The line's text; with `styled`, each change of style as SGR escapes and a reset at its end.
  static std::string render(const Line& line, bool styled);

 private:
  std::vector<Token> tokens_;
};

}  // namespace mailer::cli
