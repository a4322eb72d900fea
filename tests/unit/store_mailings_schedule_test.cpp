// Contract: the mailing store of every backend, the schedule side (SPEC §3: due slots, a
// mailing's status as runs start and end).
#include <doctest/doctest.h>

#include "store_backends.hpp"
#include "store_runs_seed.hpp"

using namespace mailer;
using test::RunSeed;

TEST_CASE_TEMPLATE("mailings store: a mailing is due from its next_run_at on, with its schedule", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  RunSeed s = test::seed_mailing(b);
  store::MailingStore& mailings = b.db().mailings();
  CHECK(mailings.due(99).empty());
  auto due = mailings.due(100);
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

TEST_CASE_TEMPLATE("mailings store: a mailing's status reads as stored, a missing one as none", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  test::seed_mailing(b);
  store::MailingStore& mailings = b.db().mailings();
  CHECK(mailings.status(RunSeed::kMailing) == schedule::Status::created);
  CHECK_FALSE(mailings.status(999));
}

TEST_CASE_TEMPLATE("mailings store: marking a mailing running keeps its schedule", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  test::seed_mailing(b);
  store::MailingStore& mailings = b.db().mailings();
  mailings.mark_running(RunSeed::kMailing);
  CHECK(mailings.status(RunSeed::kMailing) == schedule::Status::running);
  CHECK(mailings.due(100).size() == 1);
}

TEST_CASE_TEMPLATE("mailings store: marking a mailing running sets its next slot", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  test::seed_mailing(b);
  store::MailingStore& mailings = b.db().mailings();
  mailings.mark_running_next(RunSeed::kMailing, 500);
  CHECK(mailings.status(RunSeed::kMailing) == schedule::Status::running);
  CHECK(mailings.due(499).empty());
  CHECK(mailings.due(500).size() == 1);
  mailings.mark_running_next(RunSeed::kMailing, std::nullopt);
  CHECK(mailings.due(1'000'000).empty());
}

TEST_CASE_TEMPLATE("mailings store: a mailing whose schedule ended is due no more", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  test::seed_mailing(b);
  store::MailingStore& mailings = b.db().mailings();
  mailings.end_schedule(RunSeed::kMailing);
  CHECK(mailings.due(1'000'000).empty());
  CHECK(mailings.status(RunSeed::kMailing) == schedule::Status::created);
}

TEST_CASE_TEMPLATE("mailings store: a mailing with no slot and no open run is finished", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  RunSeed s = test::seed_mailing(b);
  store::MailingStore& mailings = b.db().mailings();
  mailings.finish_idle(100);
  CHECK(mailings.status(RunSeed::kMailing) == schedule::Status::created);  // a slot is left
  Id run = b.db().runs().create_run(RunSeed::kMailing, s.owner, "schedule", 100, 100);
  mailings.mark_running_next(RunSeed::kMailing, std::nullopt);
  mailings.finish_idle(100);
  CHECK(mailings.status(RunSeed::kMailing) == schedule::Status::running);  // its run is open
  b.db().runs().finish_run(run, 150);
  mailings.finish_idle(150);
  CHECK(mailings.status(RunSeed::kMailing) == schedule::Status::finished);
}
