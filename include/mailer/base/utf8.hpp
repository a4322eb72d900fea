#pragma once
// UTF-8 decoding, validation and visible escapes of user text.
#include <cstddef>
#include <string>
#include <string_view>

namespace mailer::utf8 {

// What decode() yields for an ill-formed byte.
constexpr char32_t kInvalid = 0xFFFFFFFF;

// Decodes the code point at s[i] and advances past it. An ill-formed sequence yields kInvalid
// and advances one byte, so callers that count or print can carry on after it.
char32_t decode(std::string_view s, std::size_t& i);

// Appends the UTF-8 form of `cp` (a valid code point) to `out`.
void append(std::string& out, char32_t cp);

// Offset of the first ill-formed byte, or npos.
std::size_t find_invalid(std::string_view s);

// C0 controls, DEL and C1 controls (U+0080..U+009F).
constexpr bool is_control(char32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

// `text` as it can be shown on a terminal or in a table cell: every control character
// (TAB, CR and LF too) and every ill-formed byte becomes a visible escape (\t, \r, \n, \x1B,
// \u0085), so a stored ESC cannot recolour a terminal nor a CR overwrite a line.
std::string visible(std::string_view text);

}  // namespace mailer::utf8
