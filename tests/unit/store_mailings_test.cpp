// Contract: the mailing store of every backend, with a mailing's recipients, and the run
// store's answers to the questions that editing and removing a mailing ask (SPEC §1, §2, §3).
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "store_backends.hpp"

using namespace mailer;

namespace {

constexpr Time kNow = 1'790'000'000;

// Two accounts, a message of the first, and set-up rows of the aggregates these cases do not
// exercise: clients 11 and 12 and groups 21 ("Бета") and 22 ("alpha") of ann, client 13 of petr.
struct Seeded {
  Id ann = 0;
  Id petr = 0;
  Id message = 0;

  template <class Backend>
  explicit Seeded(Backend& b)
      : ann(b.seed_account("ann@example.com")), petr(b.seed_account("petr@example.com")) {
    Message m;
    m.owner = ann;
    m.subject = "S";
    m.body_text = "B";
    m.created_at = kNow;
    message = b.db().messages().add(m);
    const std::string a = std::to_string(ann), p = std::to_string(petr);
    b.exec(
        "INSERT INTO client (id, owner, email, email_key, created_at) VALUES "
        "(11, " +
        a +
        ", 'c11@example.com', 'c11@example.com', 0), "
        "(12, " +
        a +
        ", 'c12@example.com', 'c12@example.com', 0), "
        "(13, " +
        p + ", 'c13@example.com', 'c13@example.com', 0)");
    b.exec(
        "INSERT INTO \"group\" (id, owner, name, name_key, created_at) VALUES "
        "(21, " +
        a + ", 'Бета', 'бета', 0), (22, " + a + ", 'alpha', 'alpha', 0)");
  }

  Mailing draft(Id owner) const {
    Mailing m;
    m.owner = owner;
    m.name = "Новости";
    m.message = message;
    m.start_at = kNow + 3600;
    m.end_at = kNow + 86400 * 30;
    m.every = schedule::Every::weekly;
    m.status = schedule::Status::created;
    m.enabled = true;
    m.next_run_at = kNow + 3600;
    m.created_at = kNow;
    return m;
  }
};

// A run of `mailing` written as set-up SQL (runs have a store of their own).
void seed_run(auto& b, Id id, Id mailing, const char* trigger, Time slot, std::optional<Time> finished) {
  b.exec("INSERT INTO run (id, mailing, trigger, scheduled_for, started_at, finished_at) VALUES (" +
         std::to_string(id) + ", " + std::to_string(mailing) + ", '" + trigger + "', " +
         std::to_string(slot) + ", " + std::to_string(slot) + ", " +
         (finished ? std::to_string(*finished) : std::string("NULL")) + ")");
}

std::vector<Id> ids(const std::vector<Mailing>& list) {
  std::vector<Id> out;
  for (const auto& m : list) out.push_back(m.id);
  return out;
}

}  // namespace

TEST_CASE_TEMPLATE("mailings store: an added mailing reads back with its schedule and no recipients", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::Database& db = b.db();
  Seeded s(b);
  const Id id = db.mailings().add(s.draft(s.ann));
  auto m = db.mailings().mailing(id);
  REQUIRE(m);
  CHECK(m->id == id);
  CHECK(m->owner == s.ann);
  CHECK(m->owner_email == "ann@example.com");
  CHECK(m->name == "Новости");
  CHECK(m->message == s.message);
  CHECK(m->start_at == kNow + 3600);
  CHECK(m->end_at == std::optional<Time>(kNow + 86400 * 30));
  CHECK(m->every == schedule::Every::weekly);
  CHECK(m->status == schedule::Status::created);
  CHECK(m->enabled);
  CHECK(m->next_run_at == std::optional<Time>(kNow + 3600));
  CHECK(m->created_at == kNow);
  CHECK(m->clients.empty());
  CHECK(m->groups.empty());
  CHECK_FALSE(db.mailings().mailing(id + 1));
}

TEST_CASE_TEMPLATE("mailings store: every period and an open end read back as written", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::Database& db = b.db();
  Seeded s(b);
  for (auto every :
       {schedule::Every::once, schedule::Every::daily, schedule::Every::weekly, schedule::Every::monthly}) {
    Mailing m = s.draft(s.ann);
    m.every = every;
    m.end_at.reset();
    m.next_run_at.reset();
    auto read = db.mailings().mailing(db.mailings().add(m));
    CHECK(read->every == every);
    CHECK_FALSE(read->end_at);
    CHECK_FALSE(read->next_run_at);
  }
}

TEST_CASE_TEMPLATE("mailings store: owner_of names a mailing's owner, and nobody for a missing one", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::Database& db = b.db();
  Seeded s(b);
  const Id id = db.mailings().add(s.draft(s.ann));
  CHECK(db.mailings().owner_of(id) == std::optional<Id>(s.ann));
  CHECK_FALSE(db.mailings().owner_of(id + 1));
}

TEST_CASE_TEMPLATE("mailings store: recipients read back as client ids and group names, each once, sorted",
                   Backend, MAILER_STORE_BACKENDS) {
  Backend b;
  store::Database& db = b.db();
  Seeded s(b);
  const Id id = db.mailings().add(s.draft(s.ann));
  const std::vector<Id> clients{12, 11, 12};
  const std::vector<Id> groups{21, 22, 21};
  db.mailings().set_recipients(id, clients, groups);
  auto m = db.mailings().mailing(id);
  CHECK(m->clients == std::vector<Id>{11, 12});
  CHECK(m->groups == std::vector<std::string>{"alpha", "Бета"});
}

TEST_CASE_TEMPLATE("mailings store: group names sort with ASCII case folded, as they always have", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::Database& db = b.db();
  Seeded s(b);
  b.exec("INSERT INTO \"group\" (id, owner, name, name_key, created_at) VALUES (23, " +
         std::to_string(s.ann) + ", 'Zeta', 'zeta', 0)");
  const Id id = db.mailings().add(s.draft(s.ann));
  db.mailings().set_recipients(id, {}, std::vector<Id>{21, 22, 23});
  CHECK(db.mailings().mailing(id)->groups == std::vector<std::string>{"alpha", "Zeta", "Бета"});
}

TEST_CASE_TEMPLATE("mailings store: new recipients replace all the old ones", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::Database& db = b.db();
  Seeded s(b);
  const Id id = db.mailings().add(s.draft(s.ann));
  const Id other = db.mailings().add(s.draft(s.ann));
  const std::vector<Id> both{11, 12};
  const std::vector<Id> groups{21, 22};
  db.mailings().set_recipients(id, both, groups);
  db.mailings().set_recipients(other, both, groups);
  const std::vector<Id> one{12};
  db.mailings().set_recipients(id, one, {});
  auto m = db.mailings().mailing(id);
  CHECK(m->clients == std::vector<Id>{12});
  CHECK(m->groups.empty());
  db.mailings().set_recipients(id, {}, std::vector<Id>{22});
  m = db.mailings().mailing(id);
  CHECK(m->clients.empty());
  CHECK(m->groups == std::vector<std::string>{"alpha"});
  // Another mailing's recipients stay.
  CHECK(db.mailings().mailing(other)->clients == std::vector<Id>{11, 12});
}

TEST_CASE_TEMPLATE(
    "mailings store: a listing gives one owner's mailings or everyone's, by id, with recipients", Backend,
    MAILER_STORE_BACKENDS) {
  Backend b;
  store::Database& db = b.db();
  Seeded s(b);
  const Id a1 = db.mailings().add(s.draft(s.ann));
  const Id p1 = db.mailings().add(s.draft(s.petr));
  const Id a2 = db.mailings().add(s.draft(s.ann));
  db.mailings().set_recipients(a1, std::vector<Id>{11}, std::vector<Id>{22});
  db.mailings().set_recipients(p1, std::vector<Id>{13}, {});
  db.mailings().set_recipients(a2, std::vector<Id>{12, 11}, std::vector<Id>{21});
  const auto mine = db.mailings().list(s.ann);
  CHECK(ids(mine) == std::vector<Id>{a1, a2});
  CHECK(mine[0].clients == std::vector<Id>{11});
  CHECK(mine[0].groups == std::vector<std::string>{"alpha"});
  CHECK(mine[1].clients == std::vector<Id>{11, 12});
  CHECK(mine[1].groups == std::vector<std::string>{"Бета"});
  const auto all = db.mailings().list(std::nullopt);
  CHECK(ids(all) == std::vector<Id>{a1, p1, a2});
  CHECK(all[1].owner_email == "petr@example.com");
  CHECK(all[1].clients == std::vector<Id>{13});
  CHECK(all[1].groups.empty());
  CHECK(all[2].clients == std::vector<Id>{11, 12});
  CHECK(db.mailings().list(s.petr + 1).empty());
}

TEST_CASE_TEMPLATE("mailings store: an update rewrites name, message and schedule, and keeps the rest",
                   Backend, MAILER_STORE_BACKENDS) {
  Backend b;
  store::Database& db = b.db();
  Seeded s(b);
  const Id id = db.mailings().add(s.draft(s.ann));
  db.mailings().set_recipients(id, std::vector<Id>{11}, std::vector<Id>{21});
  db.mailings().set_enabled(id, false);
  Message second;
  second.owner = s.ann;
  second.subject = "S2";
  second.body_text = "B2";
  Mailing m = *db.mailings().mailing(id);
  m.name = "Другое";
  m.message = db.messages().add(second);
  m.start_at = kNow + 7200;
  m.end_at.reset();
  m.every = schedule::Every::monthly;
  m.next_run_at = kNow + 7200;
  m.status = schedule::Status::finished;  // not the update's to write
  m.enabled = true;
  m.clients = {12};
  db.mailings().update(m);
  auto read = db.mailings().mailing(id);
  CHECK(read->name == "Другое");
  CHECK(read->message == m.message);
  CHECK(read->start_at == kNow + 7200);
  CHECK_FALSE(read->end_at);
  CHECK(read->every == schedule::Every::monthly);
  CHECK(read->next_run_at == std::optional<Time>(kNow + 7200));
  CHECK(read->status == schedule::Status::created);
  CHECK_FALSE(read->enabled);
  CHECK(read->clients == std::vector<Id>{11});
  CHECK(read->groups == std::vector<std::string>{"Бета"});
  CHECK(read->created_at == kNow);
  m.next_run_at.reset();
  db.mailings().update(m);
  CHECK_FALSE(db.mailings().mailing(id)->next_run_at);
}

TEST_CASE_TEMPLATE("mailings store: the first mailing that sends to a group is named, by id", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::Database& db = b.db();
  Seeded s(b);
  CHECK_FALSE(db.mailings().first_using_group(21));
  Mailing later = s.draft(s.ann);
  later.name = "Весна";
  const Id first = db.mailings().add(s.draft(s.ann));
  const Id second = db.mailings().add(later);
  db.mailings().set_recipients(second, {}, std::vector<Id>{21});
  auto user = db.mailings().first_using_group(21);
  REQUIRE(user);
  CHECK(user->mailing == second);
  CHECK(user->name == "Весна");
  db.mailings().set_recipients(first, {}, std::vector<Id>{21, 22});
  CHECK(db.mailings().first_using_group(21)->mailing == first);
  CHECK(db.mailings().first_using_group(22)->name == "Новости");
}

TEST_CASE_TEMPLATE(
    "runs store: a mailing's last run slot counts scheduled and manual runs, not retries or tests", Backend,
    MAILER_STORE_BACKENDS) {
  Backend b;
  store::Database& db = b.db();
  Seeded s(b);
  const Id id = db.mailings().add(s.draft(s.ann));
  const Id other = db.mailings().add(s.draft(s.ann));
  CHECK_FALSE(db.runs().last_slot(id));
  seed_run(b, 1, id, "test", kNow + 500, kNow + 500);
  seed_run(b, 2, id, "retry", kNow + 400, kNow + 400);
  CHECK_FALSE(db.runs().last_slot(id));
  seed_run(b, 3, id, "schedule", kNow + 100, kNow + 100);
  seed_run(b, 4, id, "manual", kNow + 200, std::nullopt);
  seed_run(b, 5, other, "schedule", kNow + 900, kNow + 900);
  CHECK(db.runs().last_slot(id) == std::optional<Time>(kNow + 200));
  CHECK(db.runs().last_slot(other) == std::optional<Time>(kNow + 900));
}

TEST_CASE_TEMPLATE(
    "runs store: a mailing's open runs are the unfinished ones but tests, and say whether it was stopped",
    Backend, MAILER_STORE_BACKENDS) {
  Backend b;
  store::Database& db = b.db();
  Seeded s(b);
  const Id id = db.mailings().add(s.draft(s.ann));
  const Id other = db.mailings().add(s.draft(s.ann));
  CHECK(db.runs().open_runs_of(id).empty());
  seed_run(b, 1, id, "schedule", kNow, kNow + 10);
  seed_run(b, 2, id, "test", kNow, std::nullopt);
  seed_run(b, 4, id, "retry", kNow, std::nullopt);
  seed_run(b, 3, id, "manual", kNow, std::nullopt);
  seed_run(b, 5, other, "schedule", kNow, std::nullopt);
  auto open = db.runs().open_runs_of(id);
  REQUIRE(open.size() == 2);
  CHECK(open[0].id == 3);
  CHECK(open[1].id == 4);
  CHECK_FALSE(open[0].mailing_finished);
  db.mailings().stop(id, kNow + 20);
  open = db.runs().open_runs_of(id);
  REQUIRE(open.size() == 2);
  CHECK(open[0].mailing_finished);
  CHECK(open[1].mailing_finished);
}

TEST_CASE_TEMPLATE("mailings store: a stopped mailing is finished with no next run", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::Database& db = b.db();
  Seeded s(b);
  const Id id = db.mailings().add(s.draft(s.ann));
  const Id other = db.mailings().add(s.draft(s.ann));
  db.mailings().stop(id, kNow + 60);
  auto m = db.mailings().mailing(id);
  CHECK(m->status == schedule::Status::finished);
  CHECK_FALSE(m->next_run_at);
  CHECK(m->enabled);
  auto untouched = db.mailings().mailing(other);
  CHECK(untouched->status == schedule::Status::created);
  CHECK(untouched->next_run_at == std::optional<Time>(kNow + 3600));
}

TEST_CASE_TEMPLATE("mailings store: a mailing is disabled and enabled again", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::Database& db = b.db();
  Seeded s(b);
  const Id id = db.mailings().add(s.draft(s.ann));
  const Id other = db.mailings().add(s.draft(s.ann));
  db.mailings().set_enabled(id, false);
  CHECK_FALSE(db.mailings().mailing(id)->enabled);
  CHECK(db.mailings().mailing(other)->enabled);
  db.mailings().set_enabled(id, true);
  CHECK(db.mailings().mailing(id)->enabled);
}

TEST_CASE_TEMPLATE("mailings store: a written status and enabled flag read back", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::Database& db = b.db();
  Seeded s(b);
  Mailing m = s.draft(s.ann);
  m.status = schedule::Status::running;
  m.enabled = false;
  auto read = db.mailings().mailing(db.mailings().add(m));
  CHECK(read->status == schedule::Status::running);
  CHECK_FALSE(read->enabled);
}

TEST_CASE_TEMPLATE("mailings store: remove deletes the mailings with their recipients and runs, and no other",
                   Backend, MAILER_STORE_BACKENDS) {
  Backend b;
  store::Database& db = b.db();
  Seeded s(b);
  const Id a = db.mailings().add(s.draft(s.ann));
  const Id kept = db.mailings().add(s.draft(s.ann));
  const Id c = db.mailings().add(s.draft(s.ann));
  for (Id id : {a, kept, c}) db.mailings().set_recipients(id, std::vector<Id>{11}, std::vector<Id>{21});
  seed_run(b, 1, a, "schedule", kNow, kNow);
  seed_run(b, 2, kept, "schedule", kNow, kNow);
  db.mailings().remove(std::vector<Id>{a, c});
  CHECK_FALSE(db.mailings().mailing(a));
  CHECK_FALSE(db.mailings().mailing(c));
  CHECK(ids(db.mailings().list(s.ann)) == std::vector<Id>{kept});
  CHECK(db.mailings().mailing(kept)->clients == std::vector<Id>{11});
  CHECK_FALSE(db.runs().last_slot(a));
  CHECK(db.runs().last_slot(kept) == std::optional<Time>(kNow));
  // The message is free again once its mailings are gone.
  db.mailings().remove(std::vector<Id>{kept});
  CHECK_FALSE(db.mailings().first_using_message(s.message));
}
