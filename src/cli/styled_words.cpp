#include "styled_words.hpp"

#include <algorithm>

#include "mailer/base/utf8.hpp"
#include "text_width.hpp"

namespace mailer::cli {

std::string sgr(unsigned style) {
  std::string out = "\x1b[";
  for (unsigned bit = 0; bit < 4; ++bit) {
    if ((style & (1U << bit)) == 0) continue;
    if (out.size() > 2) out += ';';
    out += static_cast<char>('1' + bit);
  }
  return out + "m";
}

void StyledWords::text(std::string_view text, unsigned style) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const std::size_t end = std::min(text.find_first_of(" \t\n", i), text.size());
    if (end > i) {
      std::string shown = utf8::visible(text.substr(i, end - i));
      if (tokens_.empty() || tokens_.back().kind != Token::word) tokens_.push_back({Token::word, {}});
      Token& word = tokens_.back();
      word.width += display_width(shown);
      if (!word.pieces.empty() && word.pieces.back().style == style)
        word.pieces.back().text += shown;
      else
        word.pieces.push_back({std::move(shown), style});
    }
    if (end < text.size()) space();
    i = end;
  }
}

void StyledWords::space() {
  if (!tokens_.empty() && tokens_.back().kind == Token::word) tokens_.push_back({Token::space, {}});
}

void StyledWords::hard_break() {
  if (!tokens_.empty() && tokens_.back().kind == Token::space) tokens_.pop_back();
  tokens_.push_back({Token::hard_break, {}});
}

std::vector<StyledWords::Line> StyledWords::wrap(std::size_t columns) const {
  std::vector<Line> lines(1);
  for (const Token& token : tokens_) {
    if (token.kind == Token::space) continue;  // two words on a line have one space between
    if (token.kind == Token::hard_break) {
      lines.emplace_back();
      continue;
    }
    if (!lines.back().words.empty() && lines.back().width + 1 + token.width > columns) lines.emplace_back();
    Line& line = lines.back();
    if (!line.words.empty()) ++line.width;
    line.words.push_back(&token);
    line.width += token.width;
  }
  return lines;
}

std::string StyledWords::render(const Line& line, bool styled) {
  std::string out;
  unsigned current = 0;
  auto put = [&](std::string_view text, unsigned style) {
    if (styled && style != current) {
      if (current != 0) out += "\x1b[0m";
      if (style != 0) out += sgr(style);
      current = style;
    }
    out += text;
  };
  for (std::size_t i = 0; i < line.words.size(); ++i) {
    // A space inside a link or a heading keeps the underline of the words on either side.
    if (i > 0) put(" ", line.words[i - 1]->pieces.back().style & line.words[i]->pieces.front().style);
    for (const Piece& piece : line.words[i]->pieces) put(piece.text, piece.style);
  }
  if (current != 0) out += "\x1b[0m";
  return out;
}

}  // namespace mailer::cli
