#pragma once
// SQLite's repository of tracking events.
#include "mailer/store/events.hpp"
#include "mailer/store/sqlite/db.hpp"

namespace mailer::store::sqlite {

class SqliteEventStore final : public EventStore {
 public:
  explicit SqliteEventStore(Db& db) : db_(db) {}

  std::optional<DeliveredAttempt> delivered_attempt(Id run, Id client) override;
  void add_events(const std::vector<NewEvent>& batch) override;
  std::vector<Event> list_events(Id run, Id client) override;

 private:
  Db& db_;
};

}  // namespace mailer::store::sqlite
