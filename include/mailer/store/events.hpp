#pragma once
// The repository of tracking events: the hits `mailer serve` records (SPEC §1 event, §3).
#include <optional>
#include <vector>

#include "mailer/base/ids.hpp"
#include "mailer/base/records/events.hpp"

namespace mailer::store {

class EventStore {
 public:
  virtual ~EventStore() = default;

  // The last sent attempt of `client` in `run`; none when that recipient got nothing in it.
  virtual std::optional<DeliveredAttempt> delivered_attempt(Id run, Id client) = 0;
  // Inserts the events in order; an unsubscribe also marks its client unsubscribed (at the
  // event's time, via its detail) unless the client already is. Wrap it in a Transaction to
  // make a batch one commit.
  virtual void add_events(const std::vector<NewEvent>& batch) = 0;
  // The events of one recipient of one run, oldest first.
  virtual std::vector<Event> list_events(Id run, Id client) = 0;
};

}  // namespace mailer::store
