#pragma once
// The SQL drivers' repository of tracking events.
#include "mailer/store/events.hpp"
#include "mailer/store/sql/connection.hpp"

namespace mailer::store::sql {

class SqlEventStore final : public EventStore {
 public:
  explicit SqlEventStore(SqlConnection& db) : db_(db) {}

  std::optional<DeliveredAttempt> delivered_attempt(Id run, Id client) override;
  void add_events(const std::vector<NewEvent>& batch) override;
  std::vector<Event> list_events(Id run, Id client) override;

 private:
  SqlConnection& db_;
};

}  // namespace mailer::store::sql
