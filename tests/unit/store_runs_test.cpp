// Contract: the run store of every backend (SPEC §3: runs, their recipients, the fold of
// results, the run claim); the mailing's side of its schedule is in
// store_mailings_schedule_test.cpp.
#include <doctest/doctest.h>

#include <vector>

#include "store_backends.hpp"
#include "store_runs_seed.hpp"

using namespace mailer;
using test::RunSeed;

namespace {

std::vector<Id> clients_of(store::RunStore& runs, Id run, Time now) {
  std::vector<runs::RunRecipient> page;
  runs.recipients_page(run, 0, now, 100, page);
  std::vector<Id> out;
  for (const auto& r : page) out.push_back(r.client);
  return out;
}

runs::DeliveryResult result(Id client, const char* status, const char* state, const std::string& message_id) {
  return test::delivery_result(client, status, state, message_id);
}

}  // namespace

TEST_CASE_TEMPLATE("runs store: a new run holds the mailing's subscribed recipients, each once", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  RunSeed s = test::seed_mailing(b);
  store::RunStore& runs = b.db().runs();
  Id run = runs.create_run(RunSeed::kMailing, s.owner, "manual", 100, 100);
  CHECK(run > 0);
  CHECK(clients_of(runs, run, 100) == std::vector<Id>{31, 32});
  CHECK(runs.left_to_send(run) == 2);
  CHECK(runs.create_run(RunSeed::kMailing, s.owner, "schedule", 100, 100) > run);
}

TEST_CASE_TEMPLATE("runs store: a retry run takes only those whose last attempt failed", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  RunSeed s = test::seed_mailing(b);
  store::RunStore& runs = b.db().runs();
  CHECK_FALSE(runs.create_retry_run(RunSeed::kMailing, s.owner, 100));
  Id first = runs.create_run(RunSeed::kMailing, s.owner, "manual", 100, 100);
  std::vector<runs::DeliveryResult> results{result(31, "failed", "done", "<1@x>"),
                                            result(32, "sent", "done", "<2@x>")};
  REQUIRE(runs.fold_results(first, RunSeed::kMailing, results));
  auto retry = runs.create_retry_run(RunSeed::kMailing, s.owner, 300);
  REQUIRE(retry);
  CHECK(clients_of(runs, *retry, 300) == std::vector<Id>{31});
  // Waiting in that open run, 31 is not taken again.
  CHECK_FALSE(runs.create_retry_run(RunSeed::kMailing, s.owner, 300));
}

TEST_CASE_TEMPLATE("runs store: a test run has no recipients and is never an open run to send", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  test::seed_mailing(b);
  store::RunStore& runs = b.db().runs();
  Id run = runs.create_test_run(RunSeed::kMailing, 100);
  CHECK(runs.left_to_send(run) == 0);
  CHECK(runs.is_open(run));
  CHECK(runs.open_runs(100, std::nullopt, true).empty());
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

TEST_CASE_TEMPLATE("runs store: a finished run is no longer open", Backend, MAILER_STORE_BACKENDS) {
  Backend b;
  test::seed_mailing(b);
  store::RunStore& runs = b.db().runs();
  Id run = runs.create_test_run(RunSeed::kMailing, 100);
  runs.finish_run(run, 150);
  CHECK_FALSE(runs.is_open(run));
  CHECK_FALSE(runs.is_open(run + 1));
}

TEST_CASE_TEMPLATE("runs store: open runs leave out paused, disabled and other runs as asked", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  RunSeed s = test::seed_mailing(b);
  store::RunStore& runs = b.db().runs();
  Id first = runs.create_run(RunSeed::kMailing, s.owner, "manual", 100, 100);
  Id second = runs.create_run(RunSeed::kMailing, s.owner, "manual", 100, 100);
  auto open = runs.open_runs(100, std::nullopt, false);
  REQUIRE(open.size() == 2);
  CHECK(open[0].id == first);
  CHECK(open[0].mailing == RunSeed::kMailing);
  CHECK(open[0].owner == s.owner);
  CHECK(open[0].message == RunSeed::kMessage);
  CHECK(open[0].trigger == "manual");
  CHECK(open[0].started_at == 100);
  CHECK_FALSE(open[0].journal);
  CHECK(runs.open_runs(100, second, false).size() == 1);
  runs.record_error(first, "broken", 110, true);
  CHECK(runs.open_runs(100, std::nullopt, false).size() == 1);
  CHECK(runs.open_runs(100, std::nullopt, true).size() == 2);
  b.exec("UPDATE mailing SET enabled = FALSE WHERE id = 20");
  CHECK(runs.open_runs(100, std::nullopt, true).empty());
}

TEST_CASE_TEMPLATE("runs store: runs of a stopped mailing or with everyone done are to settle", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  RunSeed s = test::seed_mailing(b);
  store::RunStore& runs = b.db().runs();
  Id run = runs.create_run(RunSeed::kMailing, s.owner, "manual", 100, 100);
  CHECK(runs.runs_to_settle().empty());
  std::vector<runs::DeliveryResult> results{result(31, "sent", "done", "<1@x>"),
                                            result(32, "sent", "done", "<2@x>")};
  REQUIRE(runs.fold_results(run, RunSeed::kMailing, results));
  auto settle = runs.runs_to_settle();
  REQUIRE(settle.size() == 1);
  CHECK(settle[0].id == run);
  Id stopped = runs.create_run(RunSeed::kMailing, s.owner, "manual", 100, 100);
  b.exec("UPDATE mailing SET stopped_at = 120 WHERE id = 20");
  CHECK(runs.runs_to_settle().size() == 2);
  CHECK(runs.runs_to_settle()[1].id == stopped);
}

TEST_CASE_TEMPLATE("runs store: a run is open until it is finished", Backend, MAILER_STORE_BACKENDS) {
  Backend b;
  RunSeed s = test::seed_mailing(b);
  store::RunStore& runs = b.db().runs();
  Id run = runs.create_run(RunSeed::kMailing, s.owner, "manual", 100, 100);
  CHECK(runs.is_open(run));
  runs.finish_run(run, 200);
  CHECK_FALSE(runs.is_open(run));
}

TEST_CASE_TEMPLATE(
    "runs store: a run halts when its mailing is stopped, disabled, removed or its owner blocked", Backend,
    MAILER_STORE_BACKENDS) {
  Backend b;
  RunSeed s = test::seed_mailing(b);
  store::RunStore& runs = b.db().runs();
  Id run = runs.create_run(RunSeed::kMailing, s.owner, "manual", 100, 100);
  CHECK(runs.halt_of(run) == runs::Halt::none);
  CHECK(runs.halt_of(999) == runs::Halt::gone);
  b.exec(fmt::format("UPDATE account SET active = FALSE WHERE id = {}", s.owner));
  CHECK(runs.halt_of(run) == runs::Halt::owner_blocked);
  b.exec("UPDATE mailing SET enabled = FALSE WHERE id = 20");
  CHECK(runs.halt_of(run) == runs::Halt::disabled);
  b.exec("UPDATE mailing SET stopped_at = 100 WHERE id = 20");
  CHECK(runs.halt_of(run) == runs::Halt::stopped);
}

TEST_CASE_TEMPLATE("runs store: claiming an open run records its holder and journal", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  RunSeed s = test::seed_mailing(b);
  store::RunStore& runs = b.db().runs();
  Id run = runs.create_run(RunSeed::kMailing, s.owner, "manual", 100, 100);
  CHECK(runs.claim(run, "pid 1 on host", std::string("/tmp/j")));
  auto open = runs.open_runs(100, run, true);
  REQUIRE(open.size() == 1);
  CHECK(open[0].journal == "/tmp/j");
  CHECK_FALSE(runs.claim(999, "pid 1 on host", std::nullopt));
  runs.finish_run(run, 150);
  CHECK_FALSE(runs.claim(run, "pid 1 on host", std::nullopt));
}

TEST_CASE_TEMPLATE("runs store: an error that pauses keeps the run from a due send", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  RunSeed s = test::seed_mailing(b);
  store::RunStore& runs = b.db().runs();
  Id run = runs.create_run(RunSeed::kMailing, s.owner, "manual", 100, 100);
  runs.record_error(run, "busy", 110, false);
  CHECK(runs.open_runs(100, std::nullopt, false).size() == 1);
  runs.record_error(run, "bad message", 120, true);
  CHECK(runs.open_runs(100, std::nullopt, false).empty());
}

TEST_CASE_TEMPLATE("runs store: resuming a mailing unpauses its runs", Backend, MAILER_STORE_BACKENDS) {
  Backend b;
  RunSeed s = test::seed_mailing(b);
  store::RunStore& runs = b.db().runs();
  Id run = runs.create_run(RunSeed::kMailing, s.owner, "manual", 100, 100);
  runs.record_error(run, "bad message", 120, true);
  runs.resume_paused(RunSeed::kMailing);
  CHECK(runs.open_runs(100, std::nullopt, false).size() == 1);
}

TEST_CASE_TEMPLATE("runs store: recipients left to send are those not done", Backend, MAILER_STORE_BACKENDS) {
  Backend b;
  RunSeed s = test::seed_mailing(b);
  store::RunStore& runs = b.db().runs();
  Id run = runs.create_run(RunSeed::kMailing, s.owner, "manual", 100, 100);
  std::vector<runs::DeliveryResult> results{result(31, "sent", "done", "<1@x>")};
  REQUIRE(runs.fold_results(run, RunSeed::kMailing, results));
  CHECK(runs.left_to_send(run) == 1);
}

TEST_CASE_TEMPLATE("runs store: due recipients are pending or deferred until now, and subscribed", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  RunSeed s = test::seed_mailing(b);
  store::RunStore& runs = b.db().runs();
  Id run = runs.create_run(RunSeed::kMailing, s.owner, "manual", 100, 100);
  CHECK(runs.due_recipients(run, 100) == 2);
  auto deferred = result(31, "deferred", "deferred", "<1@x>");
  deferred.retry_at = 500;
  std::vector<runs::DeliveryResult> results{deferred};
  REQUIRE(runs.fold_results(run, RunSeed::kMailing, results));
  CHECK(runs.due_recipients(run, 499) == 1);
  CHECK(runs.due_recipients(run, 500) == 2);
  b.exec("UPDATE client SET unsubscribed_at = 300 WHERE id = 32");
  CHECK(runs.due_recipients(run, 500) == 1);
}

TEST_CASE_TEMPLATE("runs store: recipients come page by page after the last client", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  RunSeed s = test::seed_mailing(b);
  store::RunStore& runs = b.db().runs();
  Id run = runs.create_run(RunSeed::kMailing, s.owner, "manual", 100, 100);
  std::vector<runs::RunRecipient> page{runs::RunRecipient{1, "stale", "", 0}};
  runs.recipients_page(run, 0, 100, 1, page);
  REQUIRE(page.size() == 1);
  CHECK(page[0].client == 31);
  CHECK(page[0].email == "a@example.com");
  CHECK(page[0].name == "Name 31");
  CHECK(page[0].tries == 0);
  runs.recipients_page(run, 31, 100, 1, page);
  REQUIRE(page.size() == 1);
  CHECK(page[0].client == 32);
  runs.recipients_page(run, 32, 100, 1, page);
  CHECK(page.empty());
}

TEST_CASE_TEMPLATE("runs store: a mailing's recipients resolve now, by client", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  RunSeed s = test::seed_mailing(b);
  store::RunStore& runs = b.db().runs();
  auto now = runs.resolve_recipients(RunSeed::kMailing, s.owner);
  REQUIRE(now.size() == 2);
  CHECK(now[0].client == 31);
  CHECK(now[1].client == 32);
  CHECK(now[1].email == "b@example.com");
  CHECK(runs.resolve_recipients(RunSeed::kMailing, s.other).empty());
}

TEST_CASE_TEMPLATE("runs store: folding results twice changes nothing, and a gone run takes none", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  RunSeed s = test::seed_mailing(b);
  store::Database& db = b.db();
  store::RunStore& runs = db.runs();
  Id run = runs.create_run(RunSeed::kMailing, s.owner, "manual", 100, 100);
  auto queued = result(32, "deferred", "queued", "<2@x>");
  queued.retry_at = 200;
  std::vector<runs::DeliveryResult> results{result(31, "sent", "done", "<1@x>"), queued,
                                            result(51, "sent", "done", "<3@x>")};
  REQUIRE(runs.fold_results(run, RunSeed::kMailing, results));
  REQUIRE(runs.fold_results(run, RunSeed::kMailing, results));
  store::AttemptQuery all;
  auto logged = db.attempts().list_attempts(all);
  REQUIRE(logged.size() == 2);  // 51 is no recipient of this run: not ours
  CHECK(logged[0].client == 31);
  CHECK(logged[0].status == "sent");
  CHECK(logged[1].client == 32);
  CHECK(logged[1].status == "deferred");
  CHECK(runs.left_to_send(run) == 1);
  std::vector<runs::RunRecipient> page;
  runs.recipients_page(run, 0, 200, 10, page);
  REQUIRE(page.size() == 1);
  CHECK(page[0].tries == 0);  // a refusal is no try
  CHECK_FALSE(runs.fold_results(999, RunSeed::kMailing, results));
}

TEST_CASE_TEMPLATE("runs store: a run closes when everyone is done, and finishes its mailing", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  RunSeed s = test::seed_mailing(b);
  store::RunStore& runs = b.db().runs();
  Id run = runs.create_run(RunSeed::kMailing, s.owner, "manual", 100, 100);
  b.db().mailings().mark_running_next(RunSeed::kMailing, std::nullopt);
  std::vector<runs::DeliveryResult> results{result(31, "sent", "done", "<1@x>")};
  REQUIRE(runs.fold_results(run, RunSeed::kMailing, results));
  CHECK_FALSE(runs.close_if_done(run, RunSeed::kMailing, 200));
  CHECK(runs.is_open(run));
  // 32 unsubscribes: done without a copy.
  b.exec("UPDATE client SET unsubscribed_at = 150 WHERE id = 32");
  CHECK(runs.close_if_done(run, RunSeed::kMailing, 200));
  CHECK_FALSE(runs.is_open(run));
  CHECK(b.db().mailings().status(RunSeed::kMailing) == schedule::Status::finished);
}

TEST_CASE_TEMPLATE("runs store: a run claim holds until released", Backend, MAILER_STORE_BACKENDS) {
  Backend b;
  store::Database& db = b.db();
  auto claims = db.run_claimer();
  auto other = db.run_claimer();
  CHECK(claims->try_claim(7));
  CHECK_FALSE(claims->held(7));  // its own claim
  // One process only in memory: every claim holds there.
  const bool shared = std::string(Backend::kName) != "SQLite in memory";
  CHECK(other->held(7) == shared);
  CHECK(other->try_claim(7) == !shared);
  claims->release(7);
  CHECK_FALSE(other->held(7));
  CHECK(other->try_claim(7));
}
