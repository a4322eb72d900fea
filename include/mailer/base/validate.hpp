#pragma once
// Pure validators for user input; every failure is Error{Errc::data} naming the field.
#include <string>
#include <string_view>

namespace mailer {

// True when `address` is an RFC 5321 mailbox (local-part@domain); the domain may be an IDN
// in UTF-8 (each label letters/digits/hyphens, or non-ASCII UTF-8), or an address literal.
bool is_valid_email(std::string_view address);

// Trims surrounding white space and validates; lowercases the domain only (local parts are
// case-sensitive by RFC 5321, but uniqueness in the database is case-insensitive). A quoted
// local part is unquoted when it needs no quotes ("ivan"@x.ru -> ivan@x.ru) and refused
// otherwise: such addresses cannot be sent reliably.
// Throws Error{Errc::data, "<field>: invalid email address '<x>'"}.
std::string normalize_email(std::string_view address, std::string_view field);

// What makes two addresses one client (SPEC §1): the local part case-folded (Unicode), the
// domain as its lowercase A-label. `email` is what normalize_email returned.
std::string email_key(std::string_view email);

// Rejects CR or LF (header injection) and invalid UTF-8. Throws Error{Errc::data} naming field.
void check_header_value(std::string_view value, std::string_view field);

// Rejects invalid UTF-8 and control characters (C0, DEL, C1) except TAB, and CR or LF unless
// `line_breaks`: what names, comments and group names may hold. Error{Errc::data} naming field.
void check_text(std::string_view value, std::string_view field, bool line_breaks = false);

// Rejects invalid UTF-8. Throws Error{Errc::data} naming field.
void check_utf8(std::string_view value, std::string_view field);

// True when `text` is well-formed UTF-8 (no overlongs, surrogates or truncated sequences).
bool is_valid_utf8(std::string_view text);

// Number of terminal columns of a UTF-8 string (code points; wide CJK counts 2).
std::size_t display_width(std::string_view utf8);

}  // namespace mailer
