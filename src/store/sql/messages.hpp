#pragma once
// The SQL drivers' repository of messages (subject and bodies).
#include "mailer/store/messages.hpp"
#include "mailer/store/sql/connection.hpp"

namespace mailer::store::sql {

class SqlMessageStore final : public MessageStore {
 public:
  explicit SqlMessageStore(SqlConnection& db) : db_(db) {}

  std::optional<Id> owner_of(Id id) override;
  std::optional<Message> message(Id id) override;
  std::vector<Message> list(std::optional<Id> owner) override;
  Id add(const Message& m) override;
  void update(const Message& m) override;
  void remove(std::span<const Id> ids) override;

 private:
  SqlConnection& db_;
};

}  // namespace mailer::store::sql
