#pragma once
// SQLite's repository of messages (subject and bodies).
#include "mailer/store/messages.hpp"
#include "mailer/store/sqlite/db.hpp"

namespace mailer::store::sqlite {

class SqliteMessageStore final : public MessageStore {
 public:
  explicit SqliteMessageStore(Db& db) : db_(db) {}

 private:
  [[maybe_unused]] Db& db_;
};

}  // namespace mailer::store::sqlite
