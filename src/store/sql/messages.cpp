// Messages (SQL, both drivers).
#include "messages.hpp"

#include <string>

namespace mailer::store::sql {
namespace {

constexpr const char* kMessageSelect =
    "SELECT m.id, m.owner, u.email, m.subject, m.body_text, m.body_html, m.created_at "
    "FROM message m JOIN account u ON u.id = m.owner";

Message read_message(const Statement& st) {
  return Message{st.int64(0), st.int64(1), st.text(2), st.text(3), st.text(4), st.opt_text(5), st.int64(6)};
}

}  // namespace

std::optional<Id> SqlMessageStore::owner_of(Id id) {
  auto st = db_.prepare("SELECT owner FROM message WHERE id = ?");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  return st.int64(0);
}

std::optional<Message> SqlMessageStore::message(Id id) {
  auto st = db_.prepare(std::string(kMessageSelect) + " WHERE m.id = ?");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  return read_message(st);
}

std::vector<Message> SqlMessageStore::list(std::optional<Id> owner) {
  auto st = db_.prepare(std::string(kMessageSelect) +
                        (owner ? " WHERE m.owner = ? ORDER BY m.id" : " ORDER BY m.id"));
  if (owner) st.bind(1, *owner);
  std::vector<Message> out;
  while (st.step()) out.push_back(read_message(st));
  return out;
}

Id SqlMessageStore::add(const Message& m) {
  auto st = db_.prepare(
      "INSERT INTO message (owner, subject, body_text, body_html, created_at) VALUES (?, ?, ?, ?, ?) "
      "RETURNING id");
  st.bind_all(m.owner, m.subject, m.body_text, m.body_html, m.created_at);
  const Id id = st.returned_id();
  st.reset();
  return id;
}

void SqlMessageStore::update(const Message& m) {
  db_.prepare("UPDATE message SET subject = ?, body_text = ?, body_html = ? WHERE id = ?")
      .bind_all(m.subject, m.body_text, m.body_html, m.id)
      .run();
}

void SqlMessageStore::remove(std::span<const Id> ids) {
  auto del = db_.prepare("DELETE FROM message WHERE id = ?");
  for (Id id : ids) {
    del.bind(1, id);
    del.run();
  }
}

}  // namespace mailer::store::sql
