#pragma once
// SQLite's repository of delivery attempts and what tracks them.
#include "mailer/store/attempts.hpp"
#include "mailer/store/sqlite/db.hpp"

namespace mailer::store::sqlite {

class SqliteAttemptStore final : public AttemptStore {
 public:
  explicit SqliteAttemptStore(Db& db) : db_(db) {}

  Id add_attempt(const NewAttempt& attempt) override;
  std::vector<Attempt> list_attempts(const AttemptQuery& query) override;

 private:
  Db& db_;
};

}  // namespace mailer::store::sqlite
