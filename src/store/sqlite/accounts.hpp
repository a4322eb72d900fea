#pragma once
// SQLite's repository of accounts, their verification and reset codes, and login sessions.
#include "mailer/store/accounts.hpp"
#include "mailer/store/sqlite/db.hpp"

namespace mailer::store::sqlite {

class SqliteAccountStore final : public AccountStore {
 public:
  explicit SqliteAccountStore(Db& db) : db_(db) {}

 private:
  [[maybe_unused]] Db& db_;
};

}  // namespace mailer::store::sqlite
