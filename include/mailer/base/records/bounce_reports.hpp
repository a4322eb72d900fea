#pragma once
// Plain records of the bounce reports `mailer bounces fetch` read (SPEC §2 bounces, §3): each
// report as it came, and what the parser made of each recipient it names.
#include <optional>
#include <string>
#include <vector>

#include "mailer/base/ids.hpp"
#include "mailer/base/time.hpp"

namespace mailer {

// One recipient of a report, and the attempt it was matched to (none: unmatched).
struct BounceRecipient {
  std::string recipient;
  std::string status;    // RFC 3463, or empty
  std::string reason;    // a reason's name (bounces::reason_name), or empty for a report that is no bounce
  std::string severity;  // hard or soft
  std::string diagnostic;
  std::optional<Id> attempt;
  std::string matched_by;  // verp, message-id, recipient; empty when unmatched
};

// A report to keep. `identity` is stable across runs ("imap:<UIDVALIDITY>:<UID>"): stored
// under a unique constraint, so a report recorded by a run killed before it flagged the
// message is not recorded (nor counted) again.
struct NewBounceReport {
  std::string identity;
  std::string message_id;  // the report's own Message-ID, when it has one
  Time received = 0;       // when mailer read it
  std::string kind;        // bounce, delayed, auto_reply, complaint, not_bounce
  std::string raw;         // the message's bytes as the server gave them
  std::vector<BounceRecipient> recipients;
};

// One row of `bounces list`: a recipient of a report (a report naming nobody gives one row
// with an empty recipient).
struct BounceReportRow {
  Id report = 0;
  Time received = 0;
  std::string kind;
  BounceRecipient recipient;
};

// A report as `bounces show` reads it back.
struct BounceReport {
  Id id = 0;
  std::string identity;
  std::string message_id;
  Time received = 0;
  std::string kind;
  std::string raw;
  std::vector<BounceRecipient> recipients;
};

// An attempt a report may be about, with the owner of its mailing.
struct BouncedAttempt {
  Id attempt = 0;
  Id owner = 0;
  std::string email;
  Time at = 0;
};

}  // namespace mailer
