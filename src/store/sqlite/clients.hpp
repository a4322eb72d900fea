#pragma once
// SQLite's repository of clients and the groups they belong to.
#include "mailer/store/clients.hpp"
#include "mailer/store/sqlite/db.hpp"

namespace mailer::store::sqlite {

class SqliteClientStore final : public ClientStore {
 public:
  explicit SqliteClientStore(Db& db) : db_(db) {}

 private:
  [[maybe_unused]] Db& db_;
};

}  // namespace mailer::store::sqlite
