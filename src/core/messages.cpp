// Messages (SPEC §1, §2): stored templates, checked when written so that a broken one is
// refused at once rather than discovered at send time.
#include "mailer/core/messages.hpp"

#include <fmt/format.h>

#include "mailer/base/error.hpp"
#include "mailer/core/template.hpp"
#include "mailer/base/validate.hpp"
#include "record_access.hpp"

namespace mailer {
namespace {

constexpr const char* kMessageSelect =
    "SELECT m.id, m.owner, u.email, m.subject, m.body_text, m.body_html, m.created_at "
    "FROM message m JOIN account u ON u.id = m.owner";

Message read_message(const store::Statement& st) {
  return Message{st.int64(0), st.int64(1), st.text(2), st.text(3), st.text(4), st.opt_text(5), st.int64(6)};
}

Message load_message(store::Db& db, Id id) {
  auto st = db.prepare(std::string(kMessageSelect) + " WHERE m.id = ?");
  st.bind(1, id);
  if (!st.step()) throw Error(Errc::not_found, fmt::format("message {} not found", id));
  return read_message(st);
}

void check_body_size(const std::string& body, const char* field) {
  if (body.size() > kMaxBodyBytes)
    throw Error(Errc::data, fmt::format("{}: {} bytes, more than a body may have (1 MiB)", field, body.size()),
                "link to anything longer from a shorter message");
}

void check_message(const std::string& subject, const std::string& body_text, const std::optional<std::string>& html,
                   bool unsubscribe_available) {
  if (subject.empty()) throw Error(Errc::data, "subject: empty");
  check_header_value(subject, "subject");
  if (subject.size() > kMaxSubjectBytes)
    throw Error(Errc::data, fmt::format("subject: longer than {} bytes", kMaxSubjectBytes));
  check_body_size(body_text, "body");
  if (html) check_body_size(*html, "html");
  check_utf8(body_text, "body");
  check_template(subject, "subject", unsubscribe_available);
  check_template(body_text, "body", unsubscribe_available);
  if (html) {
    check_utf8(*html, "html");
    check_template(*html, "html", unsubscribe_available);
  }
}

}  // namespace

Message add_message(store::Db& db, const Actor& actor, const std::string& subject, const std::string& body_text,
                    const std::optional<std::string>& body_html, Time now, bool unsubscribe_available) {
  check_message(subject, body_text, body_html, unsubscribe_available);
  store::Transaction tx(db);
  db.prepare("INSERT INTO message (owner, subject, body_text, body_html, created_at) VALUES (?, ?, ?, ?, ?)")
      .bind_all(actor.id, subject, body_text, body_html, now)
      .run();
  Message m = load_message(db, db.last_insert_id());
  tx.commit();
  return m;
}

std::vector<Message> list_messages(store::Db& db, const Actor& actor, Scope scope) {
  check_list_all(actor, scope.all);
  auto st = db.prepare(std::string(kMessageSelect) + (scope.all ? " ORDER BY m.id" : " WHERE m.owner = ? ORDER BY m.id"));
  if (!scope.all) st.bind(1, actor.id);
  std::vector<Message> out;
  while (st.step()) out.push_back(read_message(st));
  return out;
}

Message show_message(store::Db& db, const Actor& actor, Id id) {
  detail::checked_owner(db, actor, "message", "message", id, RecordAction::read);
  return load_message(db, id);
}

Message edit_message(store::Db& db, const Actor& actor, Id id, const MessageChanges& changes,
                     bool unsubscribe_available) {
  store::Transaction tx(db);
  detail::checked_owner(db, actor, "message", "message", id, RecordAction::change);
  Message m = load_message(db, id);
  if (changes.subject) m.subject = *changes.subject;
  if (changes.body_text) m.body_text = *changes.body_text;
  if (changes.body_html) m.body_html = changes.body_html;
  if (changes.drop_html) m.body_html.reset();
  check_message(m.subject, m.body_text, m.body_html, unsubscribe_available);
  db.prepare("UPDATE message SET subject = ?, body_text = ?, body_html = ? WHERE id = ?")
      .bind_all(m.subject, m.body_text, m.body_html, id)
      .run();
  tx.commit();
  return m;
}

void remove_messages(store::Db& db, const Actor& actor, const std::vector<Id>& ids) {
  store::Transaction tx(db);
  auto used = db.prepare("SELECT id FROM mailing WHERE message = ? LIMIT 1");
  for (Id id : ids) {
    detail::checked_owner(db, actor, "message", "message", id, RecordAction::change);
    used.bind(1, id);
    if (used.step())
      throw Error(Errc::data, fmt::format("message {} is used by mailing {}", id, used.int64(0)),
                  "remove the mailing first");
    used.reset();
  }
  auto del = db.prepare("DELETE FROM message WHERE id = ?");
  for (Id id : ids) {
    del.bind(1, id);
    del.run();
  }
  tx.commit();
}

}  // namespace mailer
