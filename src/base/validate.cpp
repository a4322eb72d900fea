// Validators for text users type or import: header values, plain text, UTF-8.
#include "mailer/base/validate.hpp"

#include <string>

#include "mailer/base/error.hpp"
#include "mailer/base/utf8.hpp"

namespace mailer {

void check_header_value(std::string_view value, std::string_view field) {
  if (value.find_first_of("\r\n") != std::string_view::npos) {
    // A CR or LF would end the header and let the value inject headers of its own.
    throw Error(Errc::data, std::string(field) + ": contains a line break", "write it on one line");
  }
  check_utf8(value, field);
}

void check_text(std::string_view value, std::string_view field, bool line_breaks) {
  for (std::size_t i = 0; i < value.size();) {
    const auto b = static_cast<unsigned char>(value[i]);
    if (b >= 0x20 && b < 0x7F) {
      ++i;
      continue;
    }
    const std::size_t at = i;
    const char32_t cp = utf8::decode(value, i);
    if (cp == utf8::kInvalid) check_utf8(value, field);
    if (cp == '\t' || !utf8::is_control(cp)) continue;
    if (cp == '\r' || cp == '\n') {
      if (line_breaks) continue;
      // A CR or LF would end a header and let the value inject headers of its own.
      throw Error(Errc::data, std::string(field) + ": contains a line break", "write it on one line");
    }
    // An ESC would recolour the terminal of whoever lists it, a NUL cut it short.
    throw Error(Errc::data,
                std::string(field) + ": contains the control character " +
                    utf8::visible(value.substr(at, i - at)) + " at byte " + std::to_string(at + 1),
                "only printable text is kept; remove it");
  }
}

void check_utf8(std::string_view value, std::string_view field) {
  const std::size_t at = utf8::find_invalid(value);
  if (at != std::string_view::npos) {
    throw Error(Errc::data, std::string(field) + ": invalid UTF-8 at byte " + std::to_string(at + 1),
                "the text must be in UTF-8; convert it, e.g. with iconv -f cp1251 -t utf-8");
  }
}

}  // namespace mailer
