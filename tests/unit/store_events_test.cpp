// Contract: the event store of every backend (SPEC §1 event, §3 tracking).
#include <doctest/doctest.h>

#include "store_backends.hpp"
#include "store_runs_seed.hpp"

using namespace mailer;
using test::RunSeed;

namespace {

Id add_attempt(store::Database& db, Id run, Id client, Time at, const char* status) {
  return db.attempts().add_attempt(NewAttempt{run, RunSeed::kMailing, client, "x@example.com", at, status,
                                              250, "250 ok", "<x@example.com>"});
}

NewEvent hit(Id attempt, Id run, Id client, const char* kind, Time at, std::string detail = {}) {
  NewEvent e;
  e.attempt = attempt;
  e.run = run;
  e.client = client;
  e.kind = kind;
  e.at = at;
  e.detail = std::move(detail);
  return e;
}

}  // namespace

TEST_CASE_TEMPLATE("events store: the delivered attempt is the recipient's last sent one in that run",
                   Backend, MAILER_STORE_BACKENDS) {
  Backend b;
  test::seed_mailing(b);
  store::Database& db = b.db();
  Id run = db.runs().create_test_run(RunSeed::kMailing, 100);
  Id other_run = db.runs().create_test_run(RunSeed::kMailing, 200);
  add_attempt(db, run, 31, 110, "deferred");
  Id sent = add_attempt(db, run, 31, 120, "sent");
  add_attempt(db, run, 32, 130, "bounced");
  add_attempt(db, other_run, 32, 210, "sent");
  auto delivered = db.events().delivered_attempt(run, 31);
  REQUIRE(delivered);
  CHECK(delivered->attempt == sent);
  CHECK(delivered->at == 120);
  CHECK_FALSE(db.events().delivered_attempt(run, 32));        // bounced in this run
  CHECK_FALSE(db.events().delivered_attempt(run, 33));        // never tried
  CHECK_FALSE(db.events().delivered_attempt(999, 31));        // no such run
  CHECK(db.events().delivered_attempt(other_run, 32));        // sent in the other run
  CHECK_FALSE(db.events().delivered_attempt(other_run, 31));  // not in the other run
}

TEST_CASE_TEMPLATE("events store: events read back in order with every field", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  test::seed_mailing(b);
  store::Database& db = b.db();
  Id run = db.runs().create_test_run(RunSeed::kMailing, 100);
  Id a = add_attempt(db, run, 31, 120, "sent");
  NewEvent open = hit(a, run, 31, "open", 121);
  open.user_agent = "Barracuda scanner";
  open.counted = false;
  db.events().add_events({open, hit(a, run, 31, "click", 130, "https://example.com/a?b=1")});
  auto events = db.events().list_events(run, 31);
  REQUIRE(events.size() == 2);
  CHECK(events[0].id < events[1].id);
  CHECK(events[0].attempt == a);
  CHECK(events[0].kind == "open");
  CHECK(events[0].at == 121);
  CHECK(events[0].user_agent == "Barracuda scanner");
  CHECK_FALSE(events[0].counted);
  CHECK(events[1].kind == "click");
  CHECK(events[1].detail == "https://example.com/a?b=1");
  CHECK(events[1].counted);
  CHECK(db.events().list_events(run, 32).empty());
}

TEST_CASE_TEMPLATE("events store: an unsubscribe marks the client once, at its first time", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  test::seed_mailing(b);
  store::Database& db = b.db();
  Id run = db.runs().create_test_run(RunSeed::kMailing, 100);
  Id a = add_attempt(db, run, 31, 120, "sent");
  db.events().add_events({hit(a, run, 31, "open", 125)});
  CHECK_FALSE(db.clients().client(31)->unsubscribed_at);
  db.events().add_events({hit(a, run, 31, "unsubscribe", 140, "one-click")});
  CHECK(db.clients().client(31)->unsubscribed_at == std::optional<Time>(140));
  db.events().add_events({hit(a, run, 31, "unsubscribe", 150, "link")});
  CHECK(db.clients().client(31)->unsubscribed_at == std::optional<Time>(140));
  CHECK(db.events().list_events(run, 31).size() == 3);  // every hit is an event
  CHECK_FALSE(db.clients().client(32)->unsubscribed_at);
}

TEST_CASE_TEMPLATE("events store: a batch rolls back whole with its transaction", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  test::seed_mailing(b);
  store::Database& db = b.db();
  Id run = db.runs().create_test_run(RunSeed::kMailing, 100);
  Id a = add_attempt(db, run, 31, 120, "sent");
  {
    store::Transaction tx(db);
    db.events().add_events({hit(a, run, 31, "open", 125), hit(a, run, 31, "unsubscribe", 126, "link")});
  }
  CHECK(db.events().list_events(run, 31).empty());
  CHECK_FALSE(db.clients().client(31)->unsubscribed_at);
  // An event of an attempt that does not exist fails the batch: nothing of it stays.
  CHECK_THROWS_AS(
      [&] {
        store::Transaction tx(db);
        db.events().add_events({hit(a, run, 31, "open", 127), hit(a + 999, run, 31, "open", 128)});
        tx.commit();
      }(),
      Error);
  CHECK(db.events().list_events(run, 31).empty());
}
