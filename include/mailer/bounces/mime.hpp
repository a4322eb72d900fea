#pragma once
// The MIME structure of a message, read with GMime: multipart/report, message/delivery-status,
// message/rfc822, text/rfc822-headers, in any charset and transfer encoding. Only the module
// mailer-bounces.so (parser.hpp) and the tests link it: GMime and GLib cost every start of
// mailer some 3.5 ms of CPU when linked into the executable.
#include <string_view>

#include "mailer/bounces/assemble.hpp"
#include "mailer/bounces/report.hpp"

namespace mailer::bounces {

// The parts of `message` (RFC 5322 bytes) that assemble() decides on. Never throws for bad
// input: bytes that are no message give is_message false.
MessageParts read_parts(std::string_view message);

// assemble(read_parts(message)).
Report parse_message(std::string_view message);

}  // namespace mailer::bounces
