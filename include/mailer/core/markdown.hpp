#pragma once
// Blog bodies are CommonMark (SPEC §1 post), rendered by cmark. Raw HTML and unsafe links
// (javascript:, vbscript:, file:, data: other than images) never reach the HTML: a post
// cannot inject script into the exported site.
#include <cstddef>
#include <string>
#include <string_view>

namespace mailer {

// HTML for a post body: cmark with CMARK_OPT_SAFE (raw HTML replaced by a comment, unsafe
// URLs emptied) and CMARK_OPT_VALIDATE_UTF8 (invalid bytes become U+FFFD).
std::string markdown_to_html(std::string_view markdown);

// The post's text without markup (headings, paragraphs and list items joined by spaces),
// cut at a word boundary to at most `max_chars` code points with "…" when cut. Unescaped:
// the caller escapes it for where it goes.
std::string markdown_excerpt(std::string_view markdown, std::size_t max_chars);

}  // namespace mailer
