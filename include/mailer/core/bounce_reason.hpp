#pragma once
// Why a delivery failed and whether the address is dead: the reasons of bounce reports and of
// 5xx SMTP replies (issue 12, item 4), in the spirit of sisimai. Pure: the bounce parser
// (src/bounces) and the sender (src/mail, a 5xx to RCPT) classify through it alike.
#include <string>
#include <string_view>

namespace mailer::bounce {

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

}  // namespace mailer::bounce
