// Contract: the fleet's rules in the run store (issue 13, SPEC §3): one run per schedule slot on
// every backend; on PostgreSQL, recipients leased to one live worker at a time, taken over when
// it dies, and results fenced by the lease.
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "store_backends.hpp"
#include "store_runs_seed.hpp"

using namespace mailer;
using test::RunSeed;

namespace {

std::vector<Id> clients(const std::vector<runs::RunRecipient>& page) {
  std::vector<Id> out;
  for (const auto& r : page) out.push_back(r.client);
  return out;
}

runs::DeliveryResult sent(Id client) {
  return test::delivery_result(client, "sent", "done", "<" + std::to_string(client) + "@x>");
}

// A manual run of the seeded mailing on PostgreSQL, and two workers (claimers) to share it.
struct SharedRun {
  test::PostgresBackend b;
  RunSeed s = test::seed_mailing(b);
  store::RunStore& runs = b.db().runs();
  Id run = runs.create_run(RunSeed::kMailing, s.owner, "manual", 100, 100);
  std::unique_ptr<store::RunClaimer> first = b.db().run_claimer();
  std::unique_ptr<store::RunClaimer> second = b.db().run_claimer();
};

}  // namespace

TEST_CASE_TEMPLATE("runs store: a slot of a schedule gets one run, however often it is made", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  RunSeed s = test::seed_mailing(b);
  store::RunStore& runs = b.db().runs();
  Id run = runs.create_run(RunSeed::kMailing, s.owner, "schedule", 100, 100);
  CHECK(run > 0);
  CHECK(runs.create_run(RunSeed::kMailing, s.owner, "schedule", 100, 160) == 0);
  CHECK(runs.left_to_send(run) == 2);
  // The next slot, and a manual send in the same minute, are runs of their own.
  CHECK(runs.create_run(RunSeed::kMailing, s.owner, "schedule", 200, 200) > run);
  CHECK(runs.create_run(RunSeed::kMailing, s.owner, "manual", 100, 100) > run);
}

TEST_CASE_FIXTURE(
    SharedRun,
    "runs store on PostgreSQL: a recipient is leased to one live worker, and its results are fenced") {
  REQUIRE(first->shares_runs());
  const Id a = first->worker();
  const Id w = second->worker();
  REQUIRE(a != w);
  REQUIRE(first->try_share(run));
  REQUIRE(second->try_share(run));
  CHECK_FALSE(first->try_claim(run));  // settling waits while senders share it

  std::vector<runs::RunRecipient> page;
  runs.lease_page(run, a, 0, 100, 1, 60000, false, page);
  CHECK(clients(page) == std::vector<Id>{31});
  runs.lease_page(run, w, 0, 100, 10, 60000, false, page);
  CHECK(clients(page) == std::vector<Id>{32});  // 31 is the live first worker's
  runs.lease_page(run, w, 0, 100, 10, 60000, false, page);
  CHECK(page.empty());  // its own leases are not handed out twice

  // The first worker's result for a recipient it does not hold is dropped.
  std::vector<runs::DeliveryResult> late{sent(32)};
  runs::LeaseFence fence{a, 0};
  REQUIRE(runs.fold_results(run, RunSeed::kMailing, late, nullptr, &fence));
  CHECK(fence.lost == 1);
  CHECK(runs.left_to_send(run) == 2);
  runs::LeaseFence own{w, 0};
  REQUIRE(runs.fold_results(run, RunSeed::kMailing, late, nullptr, &own));
  CHECK(own.lost == 0);
  CHECK(runs.left_to_send(run) == 1);

  std::vector<Id> mine;
  runs.renew_leases(run, a, 60000, mine);
  CHECK(mine == std::vector<Id>{31});
  // The first worker dies: its lease is taken over at once, long before it runs out (once the
  // server has seen its session end, which it does after the client closed it).
  first.reset();
  for (int i = 0; i < 100; ++i) {
    runs.lease_page(run, w, 0, 100, 10, 60000, true, page);
    if (!page.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(clients(page) == std::vector<Id>{31});
  runs.renew_leases(run, w, 60000, mine);
  CHECK(mine == std::vector<Id>{31});
  runs.release_leases(run, w);
  runs.renew_leases(run, w, 60000, mine);
  CHECK(mine.empty());
}

TEST_CASE_FIXTURE(SharedRun, "runs store on PostgreSQL: a lease that ran out goes to another worker") {
  std::vector<runs::RunRecipient> page;
  runs.lease_page(run, first->worker(), 0, 100, 10, -1, false, page);  // runs out at once
  CHECK(clients(page) == std::vector<Id>{31, 32});
  runs.lease_page(run, second->worker(), 0, 100, 10, 60000, false, page);
  CHECK(clients(page) == std::vector<Id>{31, 32});
  std::vector<Id> mine;
  runs.renew_leases(run, first->worker(), 60000, mine);
  CHECK(mine.empty());  // the first worker learns that it lost them
}

TEST_CASE("settings store on PostgreSQL: the fleet's send slots toward a server follow each other") {
  test::PostgresBackend b;
  store::SettingStore& settings = b.db().settings();
  CHECK(settings.take_send_slot("smtp://mx.example:25", 500000) == 0);
  const auto second = settings.take_send_slot("smtp://mx.example:25", 500000);
  CHECK(second > 400000);
  CHECK(second <= 500000);
  const auto third = settings.take_send_slot("smtp://mx.example:25", 500000);
  CHECK(third > 900000);
  CHECK(settings.take_send_slot("smtp://other.example:25", 500000) == 0);
}
