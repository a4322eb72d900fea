#pragma once
// Email addresses: validation, the canonical form stored, the key that makes two addresses one
// client, and the one parser of a mailbox ("Shop <news@example.com>"). Pure functions.
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

// One mailbox of a header value or the config's smtp.from.
struct Mailbox {
  std::string name;     // unquoted display name, may be empty
  std::string address;  // as written, not validated
};

// name-addr ("Name <addr>", the name optionally quoted) or a bare addr-spec; surrounding
// spaces and tabs are dropped.
Mailbox parse_mailbox(std::string_view s);

}  // namespace mailer
