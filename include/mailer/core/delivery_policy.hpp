#pragma once
// What an SMTP reply means for a recipient (SPEC §3), and how long a deferred one waits.
// Pure: no I/O, no clock; the transport reports what it saw, the sender applies the verdict.
#include <string_view>

#include "mailer/base/time.hpp"

namespace mailer::policy {

// The command the last reply answered, or where the conversation broke off.
enum class Stage : unsigned char { connect, session, mail_from, rcpt, data, body };

// How a transfer ended when it did not end with a reply of the server's.
enum class Failure : unsigned char { none, no_connection, tls, timeout, connection_lost };

// What the transport saw for one recipient.
struct ReplyFacts {
  int code = 0;           // the last reply's code; 0 when there was none
  std::string_view text;  // that reply verbatim, for the enhanced status and wording
  Stage stage = Stage::connect;
  Failure failure = Failure::none;
};

enum class Verdict : unsigned char {
  sent,             // 2xx to the message
  bounced,          // a permanent refusal of this recipient: never retried
  deferred,         // a temporary refusal of this recipient, or a transfer cut after RCPT
  session_refused,  // about the session, not the recipient: no connection, TLS, 421, AUTH, MAIL FROM
  message_refused,  // a 5xx our own message caused (line too long, too big): about us
};

// The rule of SPEC §3. Session and message refusals never count as a recipient's try.
Verdict judge(const ReplyFacts& reply);

// True for a verdict that stops the run and keeps its recipients queued.
inline bool stops_run(Verdict v) { return v == Verdict::session_refused || v == Verdict::message_refused; }

// The back-off before retry number `tries` + 1 of a deferred recipient: 1, 4, 16, 64 minutes,
// ... capped at 6 hours (greylisting clears in minutes; a full mailbox or a throttling server
// needs hours).
Time retry_delay(int tries);

// What a recipient's try becomes: `tries_after` is the count including this one.
enum class TryResult : unsigned char { sent, bounced, deferred, failed };
TryResult after_try(Verdict verdict, int tries_after, int max_tries);

}  // namespace mailer::policy
