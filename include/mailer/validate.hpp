#pragma once
// Pure validators for user input; every failure is Error{Errc::data} naming the field.
#include <string>
#include <string_view>

namespace mailer {

// True when `address` is an RFC 5321 mailbox (local-part@domain); the domain may be an IDN
// in UTF-8 (each label letters/digits/hyphens, or non-ASCII UTF-8), or an address literal.
bool is_valid_email(std::string_view address);

// Trims surrounding white space and validates; lowercases the domain only (local parts are
// case-sensitive by RFC 5321, but uniqueness in the database is case-insensitive).
// Throws Error{Errc::data, "<field>: invalid email address '<x>'"}.
std::string normalize_email(std::string_view address, std::string_view field);

// Rejects CR or LF (header injection) and invalid UTF-8. Throws Error{Errc::data} naming field.
void check_header_value(std::string_view value, std::string_view field);

// Rejects invalid UTF-8. Throws Error{Errc::data} naming field.
void check_utf8(std::string_view value, std::string_view field);

// True when `text` is well-formed UTF-8 (no overlongs, surrogates or truncated sequences).
bool is_valid_utf8(std::string_view text);

// Number of terminal columns of a UTF-8 string (code points; wide CJK counts 2).
std::size_t display_width(std::string_view utf8);

}  // namespace mailer
