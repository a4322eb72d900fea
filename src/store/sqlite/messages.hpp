#pragma once
// SQLite's repository of messages (subject and bodies).
#include "mailer/store/messages.hpp"
#include "mailer/store/sqlite/db.hpp"

namespace mailer::store::sqlite {

class SqliteMessageStore final : public MessageStore {
 public:
  explicit SqliteMessageStore(Db& db) : db_(db) {}

  std::optional<Id> owner_of(Id id) override;
  std::optional<Message> message(Id id) override;
  std::vector<Message> list(std::optional<Id> owner) override;
  Id add(const Message& m) override;
  void update(const Message& m) override;
  void remove(std::span<const Id> ids) override;

 private:
  Db& db_;
};

}  // namespace mailer::store::sqlite
