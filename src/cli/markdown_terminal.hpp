#pragma once
// A post's Markdown as `mailer blog show` prints it on a terminal.
#include <cstddef>
#include <string>
#include <string_view>

namespace mailer::cli {

// Renders CommonMark (through cmark's tree) for a terminal `width` columns wide (East Asian
// wide characters count two, text_width.hpp): headings, emphasis, lists (bullets and
// numbers, nested), block quotes, links as "text <url>", images as "[image: alt] <url>",
// inline code, fenced and indented code blocks (not wrapped, indented), thematic breaks;
// paragraphs wrapped at word boundaries. `styled`: bold/underline/dim with ANSI SGR escapes
// (a terminal without NO_COLOR); otherwise plain text and never an escape byte. Control
// characters of the post are shown as visible escapes, so a post cannot drive the terminal.
std::string render_markdown_for_terminal(std::string_view markdown, std::size_t width, bool styled);

}  // namespace mailer::cli
