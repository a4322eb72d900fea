#pragma once
// Plain records of bounces and complaints as they are recorded (SPEC §1 event, client
// suppression; issue 12, items 4 and 5).
#include <optional>
#include <string>
#include <vector>

#include "mailer/base/ids.hpp"
#include "mailer/base/time.hpp"

namespace mailer {

// The attempt a bounce hangs on, with what the rule of suppression needs.
struct BounceTarget {
  Id attempt = 0;
  Id run = 0;
  std::optional<Id> client;  // none once the client was deleted
  Id owner = 0;              // the mailing's owner
  std::string status;        // the attempt's status: sent, bounced, ...
  // The client's last lifted suppression, if any: attempts before it do not count.
  std::optional<Time> unsuppressed_at;
  bool suppressed = false;  // the client is suppressed already
};

// A bounce or complaint event to record on an attempt.
struct NewBounceEvent {
  Id attempt = 0;
  Id run = 0;
  std::optional<Id> client;
  std::string kind;  // bounce | complaint
  Time at = 0;
  std::string detail;      // JSON: reason, status, severity, diagnostic, source
  std::string report_key;  // which report it came from: one event per attempt and report
};

// One of a client's attempts that either reached the address or bounced, newest first, with
// the details of the bounce events it got (none: delivered, as far as anyone knows).
struct DeliveryOutcome {
  Id attempt = 0;
  std::string status;
  std::vector<std::string> bounce_details;
};

}  // namespace mailer
