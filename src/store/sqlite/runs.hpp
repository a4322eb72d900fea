#pragma once
// SQLite's repository of runs of mailings and their run recipients (the send queue).
#include "mailer/store/runs.hpp"
#include "mailer/store/sqlite/db.hpp"

namespace mailer::store::sqlite {

class SqliteRunStore final : public RunStore {
 public:
  explicit SqliteRunStore(Db& db) : db_(db) {}

 private:
  [[maybe_unused]] Db& db_;
};

}  // namespace mailer::store::sqlite
