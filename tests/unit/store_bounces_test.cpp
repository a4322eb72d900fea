// Contract: the bounce store and the suppression of clients in every backend (issue 12, items 4
// and 5): one event per attempt and report, the history soft bounces are counted on, and runs
// that leave suppressed clients out.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <fmt/format.h>

#include "store_backends.hpp"
#include "store_runs_seed.hpp"

using namespace mailer;
using test::RunSeed;

namespace {

// A run of the seed's mailing (trigger `trigger`) with one attempt per (id, client, status).
template <class Backend>
void seed_attempt(Backend& b, Id run, Id attempt, Id client, const char* status, Time at,
                  const char* trigger = "manual") {
  b.exec(fmt::format(
      "INSERT INTO run (id, mailing, trigger, scheduled_for, started_at) SELECT {0}, 20, '{1}', 0, 0 "
      "WHERE NOT EXISTS (SELECT 1 FROM run WHERE id = {0})",
      run, trigger));
  b.exec(
      fmt::format("INSERT INTO attempt (id, run, mailing, client, email, at, status) VALUES ({}, {}, 20, {}, "
                  "'x', {}, '{}')",
                  attempt, run, client, at, status));
}

NewBounceEvent bounce(Id attempt, Id run, Id client, const std::string& key,
                      const std::string& detail = "{}") {
  return NewBounceEvent{attempt, run, client, "bounce", 500, detail, key};
}

std::vector<Id> ids(const std::vector<DeliveryOutcome>& outcomes) {
  std::vector<Id> out;
  for (const auto& o : outcomes) out.push_back(o.attempt);
  return out;
}

}  // namespace

TEST_CASE_TEMPLATE("bounces store: one event per attempt and report key", Backend, MAILER_STORE_BACKENDS) {
  Backend b;
  test::seed_mailing(b);
  seed_attempt(b, 1, 100, 31, "sent", 200);
  store::BounceStore& s = b.db().bounces();
  CHECK(s.add_bounce_event(bounce(100, 1, 31, "smtp")));
  CHECK_FALSE(s.add_bounce_event(bounce(100, 1, 31, "smtp")));  // the same report again
  CHECK(s.add_bounce_event(bounce(100, 1, 31, "<report-2@mx>")));
  // Events without a key (opens, clicks) are not limited.
  store::EventStore& events = b.db().events();
  events.add_events(
      {NewEvent{100, 1, 31, "open", 300, "", "", true}, NewEvent{100, 1, 31, "open", 301, "", "", true}});
  CHECK(events.list_events(1, 31).size() == 4);
}

TEST_CASE_TEMPLATE("bounces store: the target of a bounce names the run, client, owner and suppression",
                   Backend, MAILER_STORE_BACKENDS) {
  Backend b;
  RunSeed seed = test::seed_mailing(b);
  seed_attempt(b, 1, 100, 31, "sent", 200);
  store::BounceStore& s = b.db().bounces();
  auto t = s.bounce_target(100);
  REQUIRE(t);
  CHECK(t->run == 1);
  CHECK(t->client == 31);
  CHECK(t->owner == seed.owner);
  CHECK(t->status == "sent");
  CHECK_FALSE(t->suppressed);
  CHECK_FALSE(t->unsuppressed_at);
  CHECK_FALSE(s.bounce_target(999));
  s.mark_attempt_bounced(100);
  CHECK(s.bounce_target(100)->status == "bounced");
  REQUIRE(b.db().clients().suppress_client(31, 600, "userunknown"));
  CHECK(s.bounce_target(100)->suppressed);
  REQUIRE(b.db().clients().unsuppress_client(31, 700));
  CHECK(s.bounce_target(100)->unsuppressed_at == 700);
}

TEST_CASE_TEMPLATE("bounces store: a client's outcomes, newest first, sent or bounced, no test copies",
                   Backend, MAILER_STORE_BACKENDS) {
  Backend b;
  test::seed_mailing(b);
  seed_attempt(b, 1, 100, 31, "sent", 200);
  seed_attempt(b, 2, 101, 31, "deferred", 300);
  seed_attempt(b, 2, 102, 31, "bounced", 310);
  seed_attempt(b, 3, 103, 31, "sent", 400, "test");
  seed_attempt(b, 4, 104, 31, "sent", 500);
  seed_attempt(b, 4, 105, 32, "sent", 500);
  store::BounceStore& s = b.db().bounces();
  REQUIRE(s.add_bounce_event(bounce(102, 2, 31, "smtp", R"({"severity":"soft"})")));
  REQUIRE(s.add_bounce_event(bounce(104, 4, 31, "a", "first")));
  REQUIRE(s.add_bounce_event(bounce(104, 4, 31, "b", "second")));
  auto all = s.recent_outcomes(31, std::nullopt, 10);
  CHECK(ids(all) == std::vector<Id>{104, 102, 100});
  CHECK(all[0].bounce_details == std::vector<std::string>{"first", "second"});
  CHECK(all[1].status == "bounced");
  CHECK(all[1].bounce_details == std::vector<std::string>{R"({"severity":"soft"})"});
  CHECK(all[2].bounce_details.empty());
  CHECK(ids(s.recent_outcomes(31, std::nullopt, 2)) == std::vector<Id>{104, 102});
  CHECK(ids(s.recent_outcomes(31, 310, 10)) == std::vector<Id>{104, 102});
  CHECK(s.recent_outcomes(51, std::nullopt, 10).empty());
}

TEST_CASE_TEMPLATE("clients store: a suppression keeps its first time and reason; unsuppress lifts it once",
                   Backend, MAILER_STORE_BACKENDS) {
  Backend b;
  test::seed_mailing(b);
  store::ClientStore& s = b.db().clients();
  CHECK_FALSE(s.unsuppress_client(31, 100));  // not suppressed
  CHECK(s.suppress_client(31, 200, "userunknown"));
  CHECK_FALSE(s.suppress_client(31, 300, "soft bounces: mailboxfull ×3"));
  auto c = s.client(31);
  CHECK(c->suppressed_at == 200);
  CHECK(c->suppressed_reason == "userunknown");
  CHECK_FALSE(s.client(51)->suppressed_at);  // another owner's client with the same address
  store::ClientQuery q;
  q.suppressed = true;
  auto listed = s.list_clients(q);
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].id == 31);
  CHECK(s.unsuppress_client(31, 400));
  c = s.client(31);
  CHECK_FALSE(c->suppressed_at);
  CHECK_FALSE(c->suppressed_reason);
  CHECK(s.list_clients(q).empty());
}

TEST_CASE_TEMPLATE("runs store: suppressed clients are left out of new runs and of a run being sent", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  RunSeed seed = test::seed_mailing(b);
  store::RunStore& runs = b.db().runs();
  const Id open = runs.create_run(RunSeed::kMailing, seed.owner, "manual", 100, 100);
  REQUIRE(b.db().clients().suppress_client(32, 150, "userunknown"));
  std::vector<runs::RunRecipient> page;
  runs.recipients_page(open, 0, 200, 10, page);
  REQUIRE(page.size() == 1);
  CHECK(page[0].client == 31);
  CHECK(runs.due_recipients(open, 200) == 1);
  auto resolved = runs.resolve_recipients(RunSeed::kMailing, seed.owner);
  REQUIRE(resolved.size() == 1);
  CHECK(resolved[0].client == 31);
  const Id next = runs.create_run(RunSeed::kMailing, seed.owner, "manual", 300, 300);
  CHECK(runs.left_to_send(next) == 1);
  // 31 done, 32 suppressed: the open run is closed, 32 marked done without an attempt.
  std::vector<runs::DeliveryResult> done{runs::DeliveryResult{31, 0, 200, "sent", "done", std::nullopt, 250,
                                                              "a@example.com", "<1@x>", "250 ok"}};
  REQUIRE(runs.fold_results(open, RunSeed::kMailing, done));
  CHECK(runs.close_if_done(open, RunSeed::kMailing, 400));
}

TEST_CASE_TEMPLATE("runs store: the fold names the attempts it logged as bounced", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  RunSeed seed = test::seed_mailing(b);
  store::RunStore& runs = b.db().runs();
  const Id run = runs.create_run(RunSeed::kMailing, seed.owner, "manual", 100, 100);
  std::vector<runs::DeliveryResult> results{
      runs::DeliveryResult{31, 0, 200, "bounced", "done", std::nullopt, 550, "a@example.com", "<1@x>",
                           "550 5.1.1 No such user"},
      runs::DeliveryResult{32, 0, 200, "sent", "done", std::nullopt, 250, "b@example.com", "<2@x>",
                           "250 ok"}};
  std::vector<runs::FoldedBounce> bounced;
  REQUIRE(runs.fold_results(run, RunSeed::kMailing, results, &bounced));
  REQUIRE(bounced.size() == 1);
  CHECK(bounced[0].result == 0);
  auto target = b.db().bounces().bounce_target(bounced[0].attempt);
  REQUIRE(target);
  CHECK(target->client == 31);
  CHECK(target->status == "bounced");
  // Folded again (a kill before the journal was emptied): nothing logged, nothing named.
  bounced.clear();
  REQUIRE(runs.fold_results(run, RunSeed::kMailing, results, &bounced));
  CHECK(bounced.empty());
}
