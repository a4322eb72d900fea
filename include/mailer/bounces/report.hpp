#pragma once
// What a bounce report says, as the parser makes it out: one entry per recipient it names.
#include <string>
#include <string_view>
#include <vector>

#include "mailer/core/bounce_reason.hpp"

namespace mailer::bounces {

// Reason, Severity, their names and the classifier are core's (mailer/core/bounce_reason.hpp):
// the sender classifies a 5xx to RCPT with them too.
using bounce::classify;
using bounce::find_reply_code;
using bounce::find_status;
using bounce::Reason;
using bounce::reason_from_name;
using bounce::reason_name;
using bounce::Severity;
using bounce::severity_name;
using bounce::severity_of;
using bounce::status_or_reply;

// One recipient of a report.
struct Failure {
  std::string recipient;  // the failed address, without angle brackets
  std::string status;     // RFC 3463 status (5.1.1), or empty when the report gives none
  Reason reason = Reason::undefined;
  Severity severity = Severity::soft;
  std::string diagnostic;  // the remote server's words (Diagnostic-Code or free text), one line
  std::string remote_mta;  // the server that refused, when named
};

// What kind of message it was.
enum class Kind {
  bounce,      // a delivery failure report: failures hold its recipients
  delayed,     // a delay warning (Action: delayed) only: nothing failed yet
  auto_reply,  // a vacation or out-of-office answer: not a bounce
  complaint,   // an ARF feedback report: failures hold the complainant with reason complaint
  not_bounce,  // anything else
};

struct Report {
  Kind kind = Kind::not_bounce;
  std::vector<Failure> failures;
  // For a message that is no bounce: why the parser thinks so, for humans.
  std::string why;
  // The original message's Message-ID, when the report quotes it (to match its attempt).
  std::string original_message_id;
};

}  // namespace mailer::bounces
