#pragma once
// SQLite's repository of delivery attempts and tracking events (opens, clicks, unsubscribes).
#include "mailer/store/attempts.hpp"
#include "mailer/store/sqlite/db.hpp"

namespace mailer::store::sqlite {

class SqliteAttemptStore final : public AttemptStore {
 public:
  explicit SqliteAttemptStore(Db& db) : db_(db) {}

 private:
  [[maybe_unused]] Db& db_;
};

}  // namespace mailer::store::sqlite
