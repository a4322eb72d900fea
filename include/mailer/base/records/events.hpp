#pragma once
// Plain records of tracking events (SPEC §1 event): what `mailer serve` saw.
#include <string>

#include "mailer/base/ids.hpp"
#include "mailer/base/time.hpp"

namespace mailer {

// The attempt a token's hits hang on: the recipient's last sent attempt in that run.
struct DeliveredAttempt {
  Id attempt = 0;
  Time at = 0;  // when it was sent: an open within seconds of it is a scanner's
};

// One hit to record: the run and client come from a verified token, the attempt from
// delivered_attempt(run, client).
struct NewEvent {
  Id attempt = 0;
  Id run = 0;
  Id client = 0;
  std::string kind;  // open, click, unsubscribe (bounce and complaint: the bounces issue)
  Time at = 0;
  std::string detail;      // click: the original URL; unsubscribe: 'link' or 'one-click'
  std::string user_agent;  // as the client sent it, capped by the server
  bool counted = true;     // false: a link scanner's or a too-early open, kept but not counted
};

// A recorded event, as it reads back.
struct Event : NewEvent {
  Id id = 0;
};

}  // namespace mailer
