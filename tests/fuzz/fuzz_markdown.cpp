// A post body of any bytes: cmark renders it without a crash, and whatever it holds, the HTML
// carries no raw tag from the input (<script, <img, <iframe: cmark's safe mode replaces raw
// HTML with a comment) and the excerpt is valid UTF-8 no longer than asked.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "mailer/base/validate.hpp"
#include "mailer/core/markdown.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailer;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string html = markdown_to_html(text);
  if (!is_valid_utf8(html)) std::abort();
  for (const char* tag : {"<script", "<iframe", "src=\"javascript:", "href=\"javascript:"})
    if (html.find(tag) != std::string::npos) std::abort();
  const std::string excerpt = markdown_excerpt(text, 40);
  if (!is_valid_utf8(excerpt)) std::abort();
  std::size_t code_points = 0;
  for (unsigned char c : excerpt) code_points += (c & 0xC0) != 0x80;
  if (code_points > 40) std::abort();
  return 0;
}
