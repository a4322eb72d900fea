#pragma once
// Pure classification of one failed recipient: its reason from the status code and the
// server's words, and whether the address is dead (hard) or the failure passes (soft).
#include <string>
#include <string_view>

#include "mailer/bounces/report.hpp"

namespace mailer::bounces {

// The reason the diagnostic text names (its phrases win: "5.1.1 mailbox full" is a full
// mailbox), else the one of the RFC 3463 status, else undefined.
Reason classify(std::string_view status, std::string_view diagnostic);

// Hard only for a dead address: user unknown, host unknown, has moved, and only when the
// status is not temporary (4.x.x). A full mailbox (even 5.2.2), a 5.7.x block or policy
// refusal (about us, not the address) and an expiry are soft.
Severity severity_of(Reason reason, std::string_view status);

// The first RFC 3463 status code in `text` ("5.1.1", "4.4.7"), or empty.
std::string find_status(std::string_view text);

// The first SMTP reply code in `text` that starts a word ("550"), or 0.
int find_reply_code(std::string_view text);

// `status` when given; else one made from the reply code in `diagnostic` (550 -> 5.0.0).
std::string status_or_reply(std::string_view status, std::string_view diagnostic);

}  // namespace mailer::bounces
