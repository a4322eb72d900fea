#pragma once
// The SQL drivers' repository of delivery attempts and what tracks them.
#include "mailer/store/attempts.hpp"
#include "mailer/store/sql/connection.hpp"

namespace mailer::store::sql {

class SqlAttemptStore final : public AttemptStore {
 public:
  explicit SqlAttemptStore(SqlConnection& db) : db_(db) {}

  Id add_attempt(const NewAttempt& attempt) override;
  std::vector<Attempt> list_attempts(const AttemptQuery& query) override;

 private:
  SqlConnection& db_;
};

}  // namespace mailer::store::sql
