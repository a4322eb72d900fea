#pragma once
// One mailbox ("Shop <news@example.com>") written into a header or the SMTP envelope in
// ASCII (IDN domains as A-labels); base/email_address parses it.
#include <cstddef>
#include <string>
#include <string_view>

#include "mailer/base/email_address.hpp"

namespace mailer::mail {

using mailer::Mailbox;

// name-addr ("Name <addr>", the name optionally quoted) or a bare addr-spec (parse_mailbox).
inline Mailbox split_mailbox(std::string_view s) { return parse_mailbox(s); }

// The bare address of a header value: "Shop <news@example.com>" -> "news@example.com".
std::string address_of(std::string_view mailbox);

// An address as MAIL FROM and RCPT TO carry it: an IDN domain in punycode
// ("ann@почта.рф" -> "ann@xn--80a1acny.xn--p1ai"), which every server accepts; libcurl 7.88
// would send it in UTF-8, which a server without SMTPUTF8 refuses with a 5xx.
std::string envelope_address(std::string_view address);

// A domain as headers must write it without SMTPUTF8: its A-labels. A domain that is not a
// valid IDN is left as it is rather than replaced by another one.
std::string ascii_domain(std::string_view domain);

// Appends a mailbox to a header at column `col` (RFC 5322 §3.4): the bare address without a
// name; else the name as atoms, a quoted string or encoded words, then " <address>", folded
// before "<" past 78 columns. CR/LF in either become spaces. Returns the column after it.
std::size_t append_mailbox(std::string& out, std::string_view name, std::string_view address,
                           std::size_t col);

}  // namespace mailer::mail
