#pragma once
// SQLite's repository of mailings, their schedule and their recipients (clients and groups).
#include "mailer/store/mailings.hpp"
#include "mailer/store/sqlite/db.hpp"

namespace mailer::store::sqlite {

class SqliteMailingStore final : public MailingStore {
 public:
  explicit SqliteMailingStore(Db& db) : db_(db) {}

 private:
  [[maybe_unused]] Db& db_;
};

}  // namespace mailer::store::sqlite
