#pragma once
// What a bounce does once it is known (SPEC §3; issue 12, items 4 and 5), whether a mailed
// report said it or the server's 5xx to RCPT during the send: an event on the attempt, the
// attempt bounced when the address is dead, and the address suppressed for its owner.
//
// The rule: a hard bounce (the address is dead: user unknown, host unknown, has moved)
// suppresses the client at once, and the attempt's status becomes bounced. A soft bounce (a
// full mailbox, a block of our server, an expiry) leaves the attempt as it was (sent, for a
// report that came after the 250) with its event, and suppresses the client once
// bounces.soft_limit soft bounces came in a row with no delivery in between. "In a row" is
// over the client's attempts that were sent or bounced (deferred and failed tries are neither;
// test copies are left out), newest first, made since its owner last lifted a suppression: each
// attempt with a soft bounce counts one (several reports of one attempt count once), and the
// count ends at the first attempt that is a delivery (sent, and no bounce recorded on it, so
// far) or a hard bounce. A bounced attempt without any bounce event (logged before mailer
// recorded them) neither counts nor ends it. A complaint (ARF) is an event of its own kind and
// never suppresses: the recipient asked not to be mailed, which is an unsubscribe's business.
#include <string>
#include <string_view>

#include "mailer/base/ids.hpp"
#include "mailer/base/time.hpp"
#include "mailer/core/bounce_reason.hpp"
#include "mailer/store/database.hpp"

namespace mailer {

// What is known of one bounce of one attempt.
struct BounceVerdict {
  bounce::Reason reason = bounce::Reason::undefined;
  std::string status;  // RFC 3463 ("5.1.1"), or empty
  bounce::Severity severity = bounce::Severity::soft;
  std::string diagnostic;  // the server's words
  // Where it came from: "smtp" (the reply to RCPT during the send) or "report" (mailed).
  std::string source = "report";
  // Which report: one record per attempt and report_key ("smtp" for the reply to RCPT; the
  // report's Message-ID, say, for a mailed one). Recording the same one again changes nothing.
  std::string report_key;
};

// The verdict of a 5xx reply that bounced a recipient during the send: the enhanced status of
// the reply (else the class of its code: 550 -> 5.0.0), the reason from its words and status,
// hard or soft from the reason (a 550 5.1.1 is hard, a 552 5.2.2 full mailbox soft).
BounceVerdict verdict_of_reply(int code, std::string_view reply);

// What recording a bounce did.
struct BounceOutcome {
  bool recorded = false;    // false: this attempt had this report already; nothing changed
  bool suppressed = false;  // the client was suppressed by this bounce
  std::string suppressed_reason;
  int soft_in_a_row = 0;  // the client's soft bounces in a row, this one included
};

// Records the bounce on `attempt` and applies the rule above, in one transaction. No such
// attempt: Error{not_found}. `soft_limit` is bounces.soft_limit.
BounceOutcome record_bounce(store::Database& db, Id attempt, const BounceVerdict& verdict, Time at,
                            int soft_limit);
// The same inside the caller's transaction (the sender's fold of its results).
BounceOutcome apply_bounce(store::Database& db, Id attempt, const BounceVerdict& verdict, Time at,
                           int soft_limit);

// The event's detail: a JSON object with the keys reason, status, severity, diagnostic, source.
std::string bounce_detail(const BounceVerdict& verdict);

}  // namespace mailer
