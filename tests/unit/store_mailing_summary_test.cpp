// Contract: the mailing store's summaries of every backend (issue 10 point 1): a mailing's
// subject, its recipients as a run started now would resolve them, and its last run's
// recipients by their final state.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <fmt/format.h>

#include "store_backends.hpp"
#include "store_runs_seed.hpp"

using namespace mailer;
using test::RunSeed;

namespace {

template <class Backend>
void seed_run(Backend& b, Id id, const char* trigger, Time started, const char* finished) {
  b.exec(
      fmt::format("INSERT INTO run (id, mailing, trigger, scheduled_for, started_at, finished_at) VALUES "
                  "({}, {}, '{}', {}, "
                  "{}, {})",
                  id, RunSeed::kMailing, trigger, started, started, finished));
}

template <class Backend>
void seed_recipient(Backend& b, Id run, Id client, const char* state) {
  b.exec(
      fmt::format("INSERT INTO run_recipient (run, client, email, name, state) VALUES ({}, {}, "
                  "'x{}@example.com', '', '{}')",
                  run, client, client, state));
}

// One try: `client` "NULL" for a client removed since (the attempt keeps the email).
template <class Backend>
void seed_attempt(Backend& b, Id run, const std::string& client, const std::string& email, const char* status,
                  Time at) {
  b.exec(
      fmt::format("INSERT INTO attempt (run, mailing, client, email, at, status, smtp_code) VALUES ({}, {}, "
                  "{}, '{}', {}, "
                  "'{}', 250)",
                  run, RunSeed::kMailing, client, email, at, status));
}

}  // namespace

TEST_CASE_TEMPLATE("mailings store: a mailing never run has its subject, its recipients now and no last run",
                   Backend, MAILER_STORE_BACKENDS) {
  Backend b;
  const RunSeed seed = test::seed_mailing(b);
  // Client 51 is another owner's: no run sends to it (written by hand; core refuses it).
  b.exec("INSERT INTO mailing_client (mailing_id, client_id) VALUES (20, 51)");
  const auto s = b.db().mailings().summary(RunSeed::kMailing);
  REQUIRE(s);
  CHECK(s->mailing == RunSeed::kMailing);
  CHECK(s->subject == "Hello");
  // 31 (direct and through group 40) once, 32 through the group; 33 unsubscribed, 51 foreign.
  CHECK(s->recipients == 2);
  CHECK(s->recipients ==
        static_cast<std::int64_t>(b.db().runs().resolve_recipients(RunSeed::kMailing, seed.owner).size()));
  CHECK_FALSE(s->last_run);
  // An unsubscribe counts at once; so does a new member of the group.
  b.exec("UPDATE client SET unsubscribed_at = 7 WHERE id = 32");
  test::seed_client(b, 34, seed.owner, "d@example.com");
  b.exec("INSERT INTO group_member (group_id, client_id) VALUES (40, 34)");
  CHECK(b.db().mailings().summary(RunSeed::kMailing)->recipients == 2);
  CHECK_FALSE(b.db().mailings().summary(RunSeed::kMailing + 1));
}

TEST_CASE_TEMPLATE("mailings store: the last run's tally counts each recipient's final try, test sends aside",
                   Backend, MAILER_STORE_BACKENDS) {
  Backend b;
  const RunSeed seed = test::seed_mailing(b);
  test::seed_client(b, 34, seed.owner, "d@example.com");
  test::seed_client(b, 35, seed.owner, "e@example.com");
  // An older run, all sent: not the last one.
  seed_run(b, 1, "manual", 100, "200");
  seed_recipient(b, 1, 31, "done");
  seed_attempt(b, 1, "31", "a@example.com", "sent", 110);
  // The last run: 31 deferred then sent (one sent), 32 bounced, a removed client's failed
  // try, 34 deferred and waiting, 35 not tried yet.
  seed_run(b, 2, "schedule", 1000, "NULL");
  seed_recipient(b, 2, 31, "done");
  seed_recipient(b, 2, 32, "done");
  seed_recipient(b, 2, 34, "deferred");
  seed_recipient(b, 2, 35, "pending");
  seed_attempt(b, 2, "31", "a@example.com", "deferred", 1001);
  seed_attempt(b, 2, "32", "b@example.com", "bounced", 1002);
  seed_attempt(b, 2, "NULL", "gone@example.com", "deferred", 1003);
  seed_attempt(b, 2, "31", "a@example.com", "sent", 1004);
  seed_attempt(b, 2, "NULL", "gone@example.com", "failed", 1005);
  seed_attempt(b, 2, "34", "x34@example.com", "deferred", 1006);
  // A test copy, newer than both: no run of the mailing's recipients.
  seed_run(b, 3, "test", 2000, "2000");
  seed_attempt(b, 3, "NULL", "me@example.com", "sent", 2000);

  const auto s = b.db().mailings().summary(RunSeed::kMailing);
  REQUIRE(s);
  REQUIRE(s->last_run);
  const RunTally& t = *s->last_run;
  CHECK(t.id == 2);
  CHECK(t.started_at == 1000);
  CHECK_FALSE(t.finished_at);
  CHECK(t.recipients == 4);
  CHECK(t.sent == 1);
  CHECK(t.bounced == 1);
  CHECK(t.failed == 1);
  CHECK(t.deferred == 1);

  // A retry run is a run: it becomes the last one.
  seed_run(b, 4, "retry", 3000, "3100");
  seed_recipient(b, 4, 34, "done");
  seed_attempt(b, 4, "34", "x34@example.com", "sent", 3001);
  const auto retried = b.db().mailings().summary(RunSeed::kMailing)->last_run;
  REQUIRE(retried);
  CHECK(retried->id == 4);
  CHECK(retried->finished_at == 3100);
  CHECK((retried->recipients == 1 && retried->sent == 1 && retried->bounced == 0 && retried->failed == 0));
}

TEST_CASE_TEMPLATE("mailings store: summaries are one per mailing of the owner, or of everyone", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  const RunSeed seed = test::seed_mailing(b);
  b.exec(
      fmt::format("INSERT INTO message (id, owner, subject, body_text, created_at) VALUES (11, {}, 'Привет, "
                  "{{{{name}}}}', "
                  "'T', 0)",
                  seed.other));
  for (int id : {21, 22})
    b.exec(fmt::format(
        "INSERT INTO mailing (id, owner, name, message, start_at, every, status, enabled, next_run_at, "
        "created_at) VALUES ({}, {}, 'o', 11, 0, 'once', 'created', TRUE, 100, 0)",
        id, seed.other));
  b.exec("INSERT INTO mailing_client (mailing_id, client_id) VALUES (21, 51)");
  b.exec(
      "INSERT INTO run (id, mailing, trigger, scheduled_for, started_at, finished_at) VALUES (9, 21, "
      "'manual', "
      "50, 50, 60)");
  b.exec(
      "INSERT INTO run_recipient (run, client, email, name, state) VALUES (9, 51, 'a@example.com', '', "
      "'done')");
  b.exec(
      "INSERT INTO attempt (run, mailing, client, email, at, status) VALUES (9, 21, 51, 'a@example.com', 55, "
      "'sent')");

  store::MailingStore& s = b.db().mailings();
  const auto theirs = s.summaries(seed.other);
  REQUIRE(theirs.size() == 2);
  CHECK(theirs[0].mailing == 21);
  CHECK(theirs[0].subject == "Привет, {{name}}");
  CHECK(theirs[0].recipients == 1);
  REQUIRE(theirs[0].last_run);
  CHECK((theirs[0].last_run->id == 9 && theirs[0].last_run->sent == 1));
  CHECK(theirs[1].mailing == 22);
  CHECK(theirs[1].recipients == 0);  // no recipients left (its client list emptied by hand)
  CHECK_FALSE(theirs[1].last_run);

  const auto everyone = s.summaries(std::nullopt);
  std::vector<Id> ids;
  for (const auto& x : everyone) ids.push_back(x.mailing);
  CHECK(ids == std::vector<Id>{20, 21, 22});
  CHECK(everyone[0].recipients == 2);
  CHECK(s.summaries(seed.owner + 1000).empty());
}
