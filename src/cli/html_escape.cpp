// HTML escaping for the report page (src/cli/report_html.cpp).
#include "html_escape.hpp"

#include "mailer/base/utf8.hpp"

namespace mailer::cli {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (std::size_t i = 0; i < text.size();) {
    const char32_t cp = utf8::decode(text, i);
    switch (cp) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '\t':
      case '\n':
      case '\r':
        out += static_cast<char>(cp);
        break;
      default:
        if (cp == utf8::kInvalid || utf8::is_control(cp)) {
          utf8::append(out, 0xFFFD);
        } else {
          utf8::append(out, cp);
        }
    }
  }
  return out;
}

}  // namespace mailer::cli
