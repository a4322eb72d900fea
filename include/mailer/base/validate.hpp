#pragma once
// Pure validators for user input; every failure is Error{Errc::data} naming the field.
#include <string>
#include <string_view>

// Addresses have a header of their own; included here for the validators' many users.
#include "mailer/base/email_address.hpp"

namespace mailer {

// Rejects CR or LF (header injection) and invalid UTF-8. Throws Error{Errc::data} naming field.
void check_header_value(std::string_view value, std::string_view field);

// Rejects invalid UTF-8 and control characters (C0, DEL, C1) except TAB, and CR or LF unless
// `line_breaks`: what names, comments and group names may hold. Error{Errc::data} naming field.
void check_text(std::string_view value, std::string_view field, bool line_breaks = false);

// Rejects invalid UTF-8. Throws Error{Errc::data} naming field.
void check_utf8(std::string_view value, std::string_view field);

// True when `text` is well-formed UTF-8 (no overlongs, surrogates or truncated sequences).
bool is_valid_utf8(std::string_view text);

}  // namespace mailer
