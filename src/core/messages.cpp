// Messages (SPEC §1, §2): stored templates, checked when written so that a broken one is
// refused at once rather than discovered at send time.
#include "mailer/core/messages.hpp"

#include <utility>

#include <fmt/format.h>

#include "mailer/base/error.hpp"
#include "mailer/base/validate.hpp"
#include "mailer/core/template.hpp"
#include "record_access.hpp"

namespace mailer {
namespace {

Message load_message(store::Database& db, Id id) {
  auto m = db.messages().message(id);
  if (!m) throw Error(Errc::not_found, fmt::format("message {} not found", id));
  return *std::move(m);
}

// The owner of message `id` after checking that `actor` may do `action` to it.
Id owner_if_allowed(store::Database& db, const Actor& actor, Id id, RecordAction action) {
  return detail::check_owner(actor, db.messages().owner_of(id), action, fmt::format("message {}", id));
}

void check_body_size(const std::string& body, const char* field) {
  if (body.size() > kMaxBodyBytes)
    throw Error(Errc::data,
                fmt::format("{}: {} bytes, more than a body may have (1 MiB)", field, body.size()),
                "link to anything longer from a shorter message");
}

void check_message(const std::string& subject, const std::string& body_text,
                   const std::optional<std::string>& html, bool unsubscribe_available) {
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

Message add_message(store::Database& db, const Actor& actor, const std::string& subject,
                    const std::string& body_text, const std::optional<std::string>& body_html, Time now,
                    bool unsubscribe_available) {
  check_message(subject, body_text, body_html, unsubscribe_available);
  store::Transaction tx(db);
  Message fields;
  fields.owner = actor.id;
  fields.subject = subject;
  fields.body_text = body_text;
  fields.body_html = body_html;
  fields.created_at = now;
  Message m = load_message(db, db.messages().add(fields));
  tx.commit();
  return m;
}

std::vector<Message> list_messages(store::Database& db, const Actor& actor, Scope scope) {
  check_list_all(actor, scope.all);
  return db.messages().list(scope.all ? std::nullopt : std::optional<Id>(actor.id));
}

Message show_message(store::Database& db, const Actor& actor, Id id) {
  owner_if_allowed(db, actor, id, RecordAction::read);
  return load_message(db, id);
}

Message edit_message(store::Database& db, const Actor& actor, Id id, const MessageChanges& changes,
                     bool unsubscribe_available) {
  store::Transaction tx(db);
  owner_if_allowed(db, actor, id, RecordAction::change);
  Message m = load_message(db, id);
  if (changes.subject) m.subject = *changes.subject;
  if (changes.body_text) m.body_text = *changes.body_text;
  if (changes.body_html) m.body_html = changes.body_html;
  if (changes.drop_html) m.body_html.reset();
  check_message(m.subject, m.body_text, m.body_html, unsubscribe_available);
  db.messages().update(m);
  tx.commit();
  return m;
}

void remove_messages(store::Database& db, const Actor& actor, const std::vector<Id>& ids) {
  store::Transaction tx(db);
  for (Id id : ids) {
    owner_if_allowed(db, actor, id, RecordAction::change);
    if (auto mailing = db.mailings().first_using_message(id))
      throw Error(Errc::data, fmt::format("message {} is used by mailing {}", id, *mailing),
                  "remove the mailing first");
  }
  db.messages().remove(ids);
  tx.commit();
}

}  // namespace mailer
