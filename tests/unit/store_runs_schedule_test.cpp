// Contract: the run store of every backend, the schedule side (SPEC §3: due slots, a
// mailing's status as runs start and end).
#include <doctest/doctest.h>

#include "store_backends.hpp"
#include "store_runs_seed.hpp"

using namespace mailer;
using test::RunSeed;

TEST_CASE_TEMPLATE("runs store: a mailing is due from its next_run_at on, with its schedule", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  RunSeed s = test::seed_mailing(b);
  store::RunStore& runs = b.db().runs();
  CHECK(runs.due_mailings(99).empty());
  auto due = runs.due_mailings(100);
  REQUIRE(due.size() == 1);
  CHECK(due[0].id == RunSeed::kMailing);
  CHECK(due[0].owner == s.owner);
  CHECK(due[0].message == RunSeed::kMessage);
  CHECK(due[0].every == "once");
  CHECK(due[0].status == "created");
  CHECK(due[0].enabled);
  CHECK(due[0].next_run_at == 100);
  CHECK_FALSE(due[0].end_at);
  CHECK(due[0].owner_can_send);
}

TEST_CASE_TEMPLATE("runs store: a mailing's status reads as stored, a missing one as none", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  test::seed_mailing(b);
  store::RunStore& runs = b.db().runs();
  CHECK(runs.mailing_status(RunSeed::kMailing) == "created");
  CHECK_FALSE(runs.mailing_status(999));
}

TEST_CASE_TEMPLATE("runs store: marking a mailing running keeps its schedule", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  test::seed_mailing(b);
  store::RunStore& runs = b.db().runs();
  runs.mark_running(RunSeed::kMailing);
  CHECK(runs.mailing_status(RunSeed::kMailing) == "running");
  CHECK(runs.due_mailings(100).size() == 1);
}

TEST_CASE_TEMPLATE("runs store: marking a mailing running sets its next slot", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  test::seed_mailing(b);
  store::RunStore& runs = b.db().runs();
  runs.mark_running_next(RunSeed::kMailing, 500);
  CHECK(runs.mailing_status(RunSeed::kMailing) == "running");
  CHECK(runs.due_mailings(499).empty());
  CHECK(runs.due_mailings(500).size() == 1);
  runs.mark_running_next(RunSeed::kMailing, std::nullopt);
  CHECK(runs.due_mailings(1'000'000).empty());
}

TEST_CASE_TEMPLATE("runs store: a mailing whose schedule ended is due no more", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  test::seed_mailing(b);
  store::RunStore& runs = b.db().runs();
  runs.end_schedule(RunSeed::kMailing);
  CHECK(runs.due_mailings(1'000'000).empty());
  CHECK(runs.mailing_status(RunSeed::kMailing) == "created");
}

TEST_CASE_TEMPLATE("runs store: a mailing with no slot and no open run is finished", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  RunSeed s = test::seed_mailing(b);
  store::RunStore& runs = b.db().runs();
  runs.finish_idle_mailings(100);
  CHECK(runs.mailing_status(RunSeed::kMailing) == "created");  // a slot is left
  Id run = runs.create_run(RunSeed::kMailing, s.owner, "schedule", 100, 100);
  runs.mark_running_next(RunSeed::kMailing, std::nullopt);
  runs.finish_idle_mailings(100);
  CHECK(runs.mailing_status(RunSeed::kMailing) == "running");  // its run is open
  runs.finish_run(run, 150);
  runs.finish_idle_mailings(150);
  CHECK(runs.mailing_status(RunSeed::kMailing) == "finished");
}

TEST_CASE_TEMPLATE("runs store: a once mailing's open schedule or manual run is found, a retry run not",
                   Backend, MAILER_STORE_BACKENDS) {
  Backend b;
  RunSeed s = test::seed_mailing(b);
  store::RunStore& runs = b.db().runs();
  CHECK_FALSE(runs.open_once_run(RunSeed::kMailing));
  runs.create_test_run(RunSeed::kMailing, 100);
  CHECK_FALSE(runs.open_once_run(RunSeed::kMailing));
  Id run = runs.create_run(RunSeed::kMailing, s.owner, "manual", 100, 100);
  runs.create_run(RunSeed::kMailing, s.owner, "schedule", 100, 100);
  CHECK(runs.open_once_run(RunSeed::kMailing) == run);
}
