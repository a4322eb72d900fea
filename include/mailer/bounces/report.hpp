#pragma once
// What a bounce report says, as the parser makes it out: one entry per recipient it names.
#include <string>
#include <string_view>
#include <vector>

namespace mailer::bounces {

// Why a delivery failed, in the spirit of sisimai's reasons (its names, lower case).
enum class Reason {
  undefined,        // nothing in the report says why
  userunknown,      // the mailbox does not exist (5.1.1)
  hostunknown,      // the domain does not exist or has no MX (5.1.2)
  hasmoved,         // the address has moved (5.1.6)
  mailboxfull,      // over quota (4.2.2, 5.2.2)
  suspend,          // the mailbox is disabled or suspended (5.2.1)
  mesgtoobig,       // the message is too big (5.3.4, 5.2.3)
  exceedlimit,      // a per-message limit of the recipient's server
  blocked,          // our host or IP is blocked (blocklists, no PTR, reputation)
  spamdetected,     // the message was judged spam
  virusdetected,    // the message was judged to carry a virus
  policyviolation,  // refused by the receiver's policy (5.7.x that is not about spam or IP)
  securityerror,    // authentication or TLS required, SPF/DKIM/DMARC failure
  rejected,         // the sender (envelope) was refused
  norelaying,       // the server does not relay for us
  filtered,         // refused by a filter on the recipient's side
  expired,          // the message sat in a queue until it timed out (4.4.7)
  networkerror,     // DNS or routing trouble, a connection lost (4.4.x)
  toomanyconn,      // too many connections or messages: rate limited
  systemerror,      // the remote system failed (4.3.x)
  systemfull,       // the remote system is out of disk (4.3.1)
  mailererror,      // the local delivery program failed
  syntaxerror,      // an SMTP syntax error (5.5.x)
  onhold,           // held for review, no verdict yet
  requireptr,       // our IP has no reverse DNS (PTR) the receiver accepts
  authfailure,      // SPF, DKIM or DMARC failed
  notaccept,        // the domain accepts no mail at all (null MX, 5.1.10, 5.3.2)
  contenterror,     // the content or its encoding was refused (5.6.x)
  notcompliantrfc,  // the message breaks an RFC (duplicate headers, bare LF)
  badreputation,    // our sending IP or domain has a poor reputation
  complaint,        // an ARF feedback report: a recipient's complaint, never a bounce
};

// The reason's name as output and stored ("userunknown"); reason_from_name() is its inverse,
// undefined for a name it does not know.
const char* reason_name(Reason reason);
Reason reason_from_name(std::string_view name);

// Hard: the address itself is dead (never send to it again). Soft: the failure is about the
// moment, the message or us, and the address may work later.
enum class Severity { soft, hard };
const char* severity_name(Severity severity);

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
