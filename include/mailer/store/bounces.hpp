#pragma once
// The repository of bounces: bounce and complaint events on attempts, and what deciding a
// suppression reads (SPEC §3; issue 12, items 4 and 5). The rule itself is core's
// (core/suppression.hpp); writes join the caller's transaction.
#include <optional>
#include <vector>

#include "mailer/base/ids.hpp"
#include "mailer/base/records/bounces.hpp"
#include "mailer/base/time.hpp"

namespace mailer::store {

class BounceStore {
 public:
  virtual ~BounceStore() = default;

  // Attempt `attempt` with its run, client, mailing owner and the client's suppression; none
  // when there is no such attempt.
  virtual std::optional<BounceTarget> bounce_target(Id attempt) = 0;
  // Inserts the event; false, with nothing written, when the attempt already has an event of
  // the same report_key (the report was recorded before).
  virtual bool add_bounce_event(const NewBounceEvent& event) = 0;
  // The attempt's status becomes bounced, from sent (a hard bounce reported after the 250).
  virtual void mark_attempt_bounced(Id attempt) = 0;
  // Up to `limit` of the client's latest attempts (by id, newest first) that were sent or
  // bounced, made at or after `since`, test copies aside, each with its bounce events' details.
  virtual std::vector<DeliveryOutcome> recent_outcomes(Id client, std::optional<Time> since, int limit) = 0;
};

}  // namespace mailer::store
