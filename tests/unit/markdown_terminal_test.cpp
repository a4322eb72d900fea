// cli/markdown_terminal: a post as `mailer blog show` prints it on a terminal.
#include "cli/markdown_terminal.hpp"

#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "cli/text_width.hpp"

using mailer::display_width;
using mailer::cli::render_markdown_for_terminal;

namespace {

std::string plain(const std::string& markdown, std::size_t width = 80) {
  return render_markdown_for_terminal(markdown, width, false);
}

std::string styled(const std::string& markdown, std::size_t width = 80) {
  return render_markdown_for_terminal(markdown, width, true);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

TEST_CASE("markdown_terminal: plain headings are underlined with '=' (level 1) and '-'") {
  CHECK(plain("# Заголовок\n\nSetext two\n----------\n\n### Three\n") ==
        "Заголовок\n=========\n\nSetext two\n----------\n\nThree\n-----\n");
  CHECK(plain("Setext one\n===\n") == "Setext one\n==========\n");
}

TEST_CASE("markdown_terminal: styled headings are bold, level 1 also underlined, each reset") {
  CHECK(styled("# Title\n\n## Sub\n") == "\x1b[1;4mTitle\x1b[0m\n\n\x1b[1mSub\x1b[0m\n");
}

TEST_CASE("markdown_terminal: emphasis keeps its markers in plain text, is italic and bold styled") {
  CHECK(plain("An *em*, a **strong** and _both_ __ways__.") ==
        "An *em*, a **strong** and *both* **ways**.\n");
  CHECK(styled("An *em* and a **strong**.") == "An \x1b[3mem\x1b[0m and a \x1b[1mstrong\x1b[0m.\n");
}

TEST_CASE("markdown_terminal: inline code keeps its backticks both ways") {
  CHECK(plain("Run `mailer blog show 1` now.") == "Run `mailer blog show 1` now.\n");
  CHECK(styled("Run `ls`.") == "Run `ls`.\n");
}

TEST_CASE("markdown_terminal: links show text <url>, the address once when it is the text") {
  CHECK(plain("See [the site](https://example.org/a) today.") ==
        "See the site <https://example.org/a> today.\n");
  CHECK(plain("At <https://example.org> or <team@example.org>.") ==
        "At https://example.org or team@example.org.\n");
  CHECK(plain("[https://example.org](https://example.org)") == "https://example.org\n");
  CHECK(styled("[site](https://e.org)") == "\x1b[4msite\x1b[0m \x1b[2m<https://e.org>\x1b[0m\n");
}

TEST_CASE("markdown_terminal: images show [image: alt] <url>") {
  CHECK(plain("![The *logo*](https://example.org/logo.png)") ==
        "[image: The logo] <https://example.org/logo.png>\n");
  CHECK(plain("![](pic.png)") == "[image] <pic.png>\n");
}

TEST_CASE("markdown_terminal: bullet and ordered lists, the start number honoured, numbers aligned") {
  CHECK(plain("- one\n- two\n* other list\n") == "• one\n• two\n\n• other list\n");
  CHECK(plain("3. three\n4. four\n") == "3. three\n4. four\n");
  CHECK(plain("9) nine\n10) ten\n") == " 9) nine\n10) ten\n");
  CHECK(plain("- loose\n\n- list\n") == "• loose\n\n• list\n");
}

TEST_CASE("markdown_terminal: nested lists indent by their item's marker, wrapped lines under the text") {
  const std::string out = plain(
      "- first item of the outer list\n"
      "  - a nested item long enough to wrap twice at this width\n"
      "  - short\n"
      "- last\n",
      24);
  CHECK(out ==
        "• first item of the\n"
        "  outer list\n"
        "  • a nested item long\n"
        "    enough to wrap twice\n"
        "    at this width\n"
        "  • short\n"
        "• last\n");
}

TEST_CASE("markdown_terminal: a block quote's wrapped lines and blank lines all carry the bar") {
  CHECK(plain("> A quoted paragraph long enough to wrap.\n>\n> Second.\n", 24) ==
        "│ A quoted paragraph\n│ long enough to wrap.\n│\n│ Second.\n");
  CHECK(plain("> > deep\n") == "│ │ deep\n");
}

TEST_CASE("markdown_terminal: code blocks are indented 4 and never wrapped") {
  const std::string line = "let total = items.map(price).reduce(add, 0); // longer than the width";
  CHECK(plain("Before:\n\n    " + line + "\n\nAfter.\n", 30) == "Before:\n\n    " + line + "\n\nAfter.\n");
  CHECK(plain("```sh\nmake\tall\n  indented\n```\n") == "    make    all\n      indented\n");
  CHECK(plain("- item\n\n      code\n") == "• item\n\n      code\n");
}

TEST_CASE("markdown_terminal: a thematic break is a rule as wide as the text, dim when styled") {
  std::string rule;
  for (int i = 0; i < 30; ++i) rule += "─";
  CHECK(plain("above\n\n***\n\nbelow\n", 30) == "above\n\n" + rule + "\n\nbelow\n");
  CHECK(styled("---\n", 30) == "\x1b[2m" + rule + "\x1b[0m\n");
}

TEST_CASE("markdown_terminal: hard breaks end a line, soft breaks are spaces, one blank between paragraphs") {
  CHECK(plain("one  \ntwo\\\nthree\nsame line\n\n\n\nnext paragraph") ==
        "one\ntwo\nthree same line\n\nnext paragraph\n");
}

TEST_CASE("markdown_terminal: a Cyrillic paragraph wraps at 40 display columns, no word split") {
  const std::string text =
      "Съешь же ещё этих мягких французских булок, да выпей чаю. Широкая электрификация южных губерний "
      "даст мощный толчок подъёму сельского хозяйства.";
  const std::string out = plain(text, 40);
  const auto lines = lines_of(out);
  REQUIRE(lines.size() == 5);
  CHECK(lines[0] == "Съешь же ещё этих мягких французских");  // 36 columns, 68 bytes
  std::string joined;
  for (const std::string& line : lines) {
    CHECK(display_width(line) <= 40);
    CHECK(line.back() != ' ');
    joined += (joined.empty() ? "" : " ") + line;
  }
  CHECK(joined == text);  // every word whole, in order
}

TEST_CASE("markdown_terminal: a word wider than the line has a line of its own; width under 20 is 20") {
  CHECK(plain("a https://example.org/a/very/long/path/indeed b", 20) ==
        "a\nhttps://example.org/a/very/long/path/indeed\nb\n");
  CHECK(plain("one two three four five six seven", 5) == plain("one two three four five six seven", 20));
  CHECK(plain("one two three four five six seven", 5) == "one two three four\nfive six seven\n");
}

TEST_CASE("markdown_terminal: control characters of the post are shown escaped, never raw") {
  const std::string post =
      "Red \x1b[31malert\x1b[0m and &#27;[2J.\n\n"
      "    code \x1b]0;title\x07\n\n"
      "[click](https://e.org/\x1b[5m) ![alt\x1b(0](x\x1bp.png) `\x1b[7m`\n";
  for (const bool with_style : {false, true}) {
    const std::string out = render_markdown_for_terminal(post, 80, with_style);
    CHECK(out.find("\x1b[31m") == std::string::npos);
    CHECK(out.find("\x1b[2J") == std::string::npos);
    CHECK(out.find("\x1b[5m") == std::string::npos);
    CHECK(out.find('\a') == std::string::npos);
    CHECK(out.find("\\x1B[31malert\\x1B[0m") != std::string::npos);
    CHECK(out.find("\\x1B[2J") != std::string::npos);
    CHECK(out.find("    code \\x1B]0;title\\x07") != std::string::npos);
  }
  CHECK(plain(post) ==
        "Red \\x1B[31malert\\x1B[0m and \\x1B[2J.\n\n"
        "    code \\x1B]0;title\\x07\n\n"
        "click <https://e.org/\\x1B[5m> [image: alt\\x1B(0] <x\\x1Bp.png> `\\x1B[7m`\n");
}

TEST_CASE("markdown_terminal: raw HTML shows nothing, the text between inline tags stays") {
  const std::string post =
      "Before.\n\n<script>alert('x')</script>\n\nInline <b>bold</b> <img src=x onerror=y>.\n";
  for (const bool with_style : {false, true}) {
    const std::string out = render_markdown_for_terminal(post, 80, with_style);
    CHECK(out.find("script") == std::string::npos);
    CHECK(out.find("alert") == std::string::npos);
    CHECK(out.find('<') == std::string::npos);
  }
  CHECK(plain(post) == "Before.\n\nInline bold .\n");
}

TEST_CASE("markdown_terminal: plain output has no escape byte; styled output resets every style it sets") {
  const std::string post =
      "# Title\n\n*em* **strong** [link text](https://e.org) `code`\n\n> quote\n\n- item\n\n---\n";
  CHECK(plain(post).find('\x1b') == std::string::npos);
  const std::string out = styled(post, 40);
  CHECK(out.find("\x1b[1;4m") != std::string::npos);
  CHECK(out.find("\x1b[3m") != std::string::npos);
  CHECK(out.find("\x1b[4mlink text\x1b[0m") != std::string::npos);  // the space inside keeps the underline
  for (const std::string& line : lines_of(out)) {
    if (line.find('\x1b') != std::string::npos) CHECK(line.ends_with("\x1b[0m"));
  }
}

TEST_CASE("markdown_terminal: the output ends with exactly one newline") {
  CHECK(plain("") == "\n");
  CHECK(plain("text\n\n\n") == "text\n");
  CHECK(plain("    code\n\n\n") == "    code\n");
  CHECK(plain("- \n") == "•\n");
}
