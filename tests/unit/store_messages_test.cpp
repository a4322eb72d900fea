// Contract: the message store of every backend, and the mailing store's answer to whether a
// message is in use (SPEC §1, §2).
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store_backends.hpp"

using namespace mailer;

namespace {

Message draft(Id owner, const std::string& subject, std::optional<std::string> html = std::nullopt) {
  Message m;
  m.owner = owner;
  m.subject = subject;
  m.body_text = "Текст для {{name}}";
  m.body_html = std::move(html);
  m.created_at = 1'790'000'000;
  return m;
}

// A mailing of `message` written as set-up SQL, so that these cases need no mailing store.
void seed_mailing(auto& backend, Id id, Id owner, Id message) {
  backend.exec(
      "INSERT INTO mailing (id, owner, name, message, start_at, every, status, enabled, created_at) VALUES "
      "(" +
      std::to_string(id) + ", " + std::to_string(owner) + ", '', " + std::to_string(message) +
      ", 0, 'once', 'created', TRUE, 0)");
}

}  // namespace

TEST_CASE_TEMPLATE("messages store: an added message reads back with its owner's email", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::Database& db = b.db();
  const Id ann = b.seed_account("ann@example.com");
  const Id id = db.messages().add(draft(ann, "Привет, {{name}}", "<p>Привет</p>"));
  auto m = db.messages().message(id);
  REQUIRE(m);
  CHECK(m->id == id);
  CHECK(m->owner == ann);
  CHECK(m->owner_email == "ann@example.com");
  CHECK(m->subject == "Привет, {{name}}");
  CHECK(m->body_text == "Текст для {{name}}");
  CHECK(m->body_html == std::optional<std::string>("<p>Привет</p>"));
  CHECK(m->created_at == 1'790'000'000);
  CHECK_FALSE(db.messages().message(id + 1));
}

TEST_CASE_TEMPLATE("messages store: a message without an HTML body reads back without one", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::Database& db = b.db();
  const Id id = db.messages().add(draft(b.seed_account("ann@example.com"), "S"));
  CHECK_FALSE(db.messages().message(id)->body_html);
}

TEST_CASE_TEMPLATE("messages store: owner_of names a message's owner, and nobody for a missing one", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::Database& db = b.db();
  const Id ann = b.seed_account("ann@example.com");
  const Id petr = b.seed_account("petr@example.com");
  const Id mine = db.messages().add(draft(ann, "A"));
  const Id theirs = db.messages().add(draft(petr, "P"));
  CHECK(db.messages().owner_of(mine) == std::optional<Id>(ann));
  CHECK(db.messages().owner_of(theirs) == std::optional<Id>(petr));
  CHECK_FALSE(db.messages().owner_of(theirs + 100));
}

TEST_CASE_TEMPLATE("messages store: a listing gives one owner's messages or everyone's, by id", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::Database& db = b.db();
  const Id ann = b.seed_account("ann@example.com");
  const Id petr = b.seed_account("petr@example.com");
  const Id a1 = db.messages().add(draft(ann, "A1"));
  const Id p1 = db.messages().add(draft(petr, "P1"));
  const Id a2 = db.messages().add(draft(ann, "A2"));
  const auto ids = [](const std::vector<Message>& list) {
    std::vector<Id> out;
    for (const auto& m : list) out.push_back(m.id);
    return out;
  };
  CHECK(ids(db.messages().list(ann)) == std::vector<Id>{a1, a2});
  CHECK(ids(db.messages().list(petr)) == std::vector<Id>{p1});
  const auto all = db.messages().list(std::nullopt);
  CHECK(ids(all) == std::vector<Id>{a1, p1, a2});
  CHECK(all[1].owner_email == "petr@example.com");
  CHECK(db.messages().list(petr + 1).empty());
}

TEST_CASE_TEMPLATE("messages store: an update rewrites subject and bodies and keeps owner and date", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::Database& db = b.db();
  const Id ann = b.seed_account("ann@example.com");
  const Id id = db.messages().add(draft(ann, "Old", "<p>old</p>"));
  const Id other = db.messages().add(draft(ann, "Other"));
  Message changed = *db.messages().message(id);
  changed.subject = "New";
  changed.body_text = "New text";
  changed.body_html.reset();
  db.messages().update(changed);
  auto m = db.messages().message(id);
  CHECK(m->subject == "New");
  CHECK(m->body_text == "New text");
  CHECK_FALSE(m->body_html);
  CHECK(m->owner == ann);
  CHECK(m->created_at == 1'790'000'000);
  CHECK(db.messages().message(other)->subject == "Other");
  changed.body_html = "<p>back</p>";
  db.messages().update(changed);
  CHECK(db.messages().message(id)->body_html == std::optional<std::string>("<p>back</p>"));
}

TEST_CASE_TEMPLATE("mailings store: the first mailing that sends a message is the lowest id", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::Database& db = b.db();
  const Id ann = b.seed_account("ann@example.com");
  const Id used = db.messages().add(draft(ann, "U"));
  const Id unused = db.messages().add(draft(ann, "N"));
  seed_mailing(b, 9, ann, used);
  seed_mailing(b, 4, ann, used);
  CHECK(db.mailings().first_using_message(used) == std::optional<Id>(4));
  CHECK_FALSE(db.mailings().first_using_message(unused));
}

TEST_CASE_TEMPLATE("messages store: remove deletes the given messages and no other", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::Database& db = b.db();
  const Id ann = b.seed_account("ann@example.com");
  const Id a = db.messages().add(draft(ann, "A"));
  const Id kept = db.messages().add(draft(ann, "K"));
  const Id c = db.messages().add(draft(ann, "C"));
  const std::vector<Id> gone{a, c};
  db.messages().remove(gone);
  CHECK_FALSE(db.messages().message(a));
  CHECK_FALSE(db.messages().message(c));
  CHECK(db.messages().message(kept));
  CHECK(db.messages().list(ann).size() == 1);
}

TEST_CASE_TEMPLATE("messages store: ids of removed messages are not given again", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::Database& db = b.db();
  const Id ann = b.seed_account("ann@example.com");
  const Id first = db.messages().add(draft(ann, "A"));
  const std::vector<Id> gone{first};
  db.messages().remove(gone);
  CHECK(db.messages().add(draft(ann, "B")) > first);
}
