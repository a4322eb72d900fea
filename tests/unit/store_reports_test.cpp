// Contract: the report store of every backend (SPEC §2 report, report recipients, report links,
// stats) against known sends: bounced, deferred then sent, failed after the last try, still
// deferred, pending, opened twice, clicked without opening, a scanner's open, an unsubscribe,
// a test send and another owner's mailing that must not count.
#include <doctest/doctest.h>

#include <vector>

#include "store_backends.hpp"
#include "store_runs_seed.hpp"

using namespace mailer;
using test::RunSeed;

namespace {

constexpr Id kRun = 60;
constexpr Id kOtherMailing = 21;

struct Sends {
  RunSeed seed;
  Id a_sent = 0, b_sent = 0;
};

template <class Backend>
Id add(Backend& b, Id run, Id mailing, Id client, const std::string& email, Time at, const char* status,
       int code, const std::string& reply) {
  return b.db().attempts().add_attempt(NewAttempt{run, mailing, client, email, at, status, code, reply, ""});
}

template <class Backend>
void event(Backend& b, Id attempt, Id client, const char* kind, Time at, const std::string& detail = "",
           bool counted = true, Id run = kRun) {
  b.exec(
      fmt::format("INSERT INTO event (attempt, kind, at, detail, run, client, user_agent, counted) "
                  "VALUES ({}, '{}', {}, '{}', {}, {}, 'UA', {})",
                  attempt, kind, at, detail, run, client, counted ? "TRUE" : "FALSE"));
}

template <class Backend>
Sends seed_sends(Backend& b) {
  Sends s{test::seed_mailing(b)};
  test::seed_client(b, 34, s.seed.owner, "d@example.com");
  test::seed_client(b, 35, s.seed.owner, "e@example.com");
  test::seed_client(b, 36, s.seed.owner, "f@example.com");
  test::seed_client(b, 37, s.seed.owner, "g@example.com");
  b.exec("UPDATE mailing SET status = 'running' WHERE id = 20");
  b.exec(
      fmt::format("INSERT INTO run (id, mailing, trigger, scheduled_for, started_at) VALUES ({}, 20, "
                  "'manual', 100, 100)",
                  kRun));
  for (Id c : {31, 32, 34, 35, 36, 37})
    b.exec(
        fmt::format("INSERT INTO run_recipient (run, client, email, name, state, tries) "
                    "SELECT {}, id, email, name, 'pending', 0 FROM client WHERE id = {}",
                    kRun, c));
  const Id m = RunSeed::kMailing;
  s.a_sent = add(b, kRun, m, 31, "a@example.com", 110, "sent", 250, "250 ok");
  add(b, kRun, m, 32, "b@example.com", 110, "deferred", 451, "451 greylisted");
  s.b_sent = add(b, kRun, m, 32, "b@example.com", 400, "sent", 250, "250 ok");
  add(b, kRun, m, 34, "d@example.com", 110, "bounced", 550, "550 user unknown");
  add(b, kRun, m, 35, "e@example.com", 110, "deferred", 451, "451 later");
  add(b, kRun, m, 35, "e@example.com", 200, "deferred", 451, "451 later");
  add(b, kRun, m, 35, "e@example.com", 300, "failed", 451, "451 later");
  add(b, kRun, m, 36, "f@example.com", 110, "deferred", 421, "421 busy");
  event(b, s.a_sent, 31, "open", 111, "", false);  // a scanner's
  event(b, s.a_sent, 31, "open", 200);
  event(b, s.a_sent, 31, "open", 300);
  event(b, s.a_sent, 31, "click", 210, "https://shop.example/one");
  event(b, s.b_sent, 32, "click", 500, "https://shop.example/one");
  event(b, s.b_sent, 32, "click", 510, "https://shop.example/two");
  event(b, s.b_sent, 32, "unsubscribe", 520, "link");
  // A test copy, opened: never counted.
  const Id test_run = b.db().runs().create_test_run(m, 600);
  const Id test_copy = add(b, test_run, m, 31, "a@example.com", 610, "sent", 250, "250 ok");
  event(b, test_copy, 31, "open", 620, "", true, test_run);
  // Another owner's mailing, sent to the same address.
  b.exec(fmt::format(
      "INSERT INTO mailing (id, owner, name, message, start_at, every, status, enabled, created_at) "
      "VALUES ({}, {}, 'other', 10, 0, 'once', 'finished', TRUE, 0)",
      kOtherMailing, s.seed.other));
  b.exec(
      "INSERT INTO run (id, mailing, trigger, scheduled_for, started_at) VALUES (70, 21, 'manual', 100, "
      "100)");
  add(b, 70, kOtherMailing, 51, "A@example.com", 120, "sent", 250, "250 ok");
  return s;
}

store::ReportQuery of_mailing(Id mailing) {
  store::ReportQuery q;
  q.mailing = mailing;
  return q;
}

}  // namespace

TEST_CASE_TEMPLATE("reports store: a mailing's totals count each recipient's final state once", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  Sends s = seed_sends(b);
  store::ReportQuery q;
  q.owner = s.seed.owner;
  auto rows = b.db().reports().mailing_totals(q);
  REQUIRE(rows.size() == 1);
  const MailingReport& r = rows[0];
  CHECK(r.mailing == RunSeed::kMailing);
  CHECK(r.name == "m");
  CHECK(r.owner_email == "owner@example.com");
  CHECK(r.subject == "Hello");
  CHECK(r.recipients == 6);  // a, b, d, e, f and g (pending)
  CHECK(r.sent == 2);        // a; b after a 451
  CHECK(r.bounced == 1);
  CHECK(r.deferred == 1);  // f, still queued
  CHECK(r.failed == 1);    // e, after three tries
  CHECK(r.opened == 1);    // a (twice; the scanner's open and the test copy's not counted)
  CHECK(r.opens == 2);
  CHECK(r.clicked == 2);  // a, and b who never opened
  CHECK(r.clicks == 3);
  CHECK(r.unsubscribed == 1);
  CHECK(r.delivery_rate == 0);  // the store leaves rates to core
}

TEST_CASE_TEMPLATE("reports store: totals narrow by owner, mailing and the runs' start", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  Sends s = seed_sends(b);
  auto& reports = b.db().reports();
  CHECK(reports.mailing_totals({}).size() == 2);
  auto other = reports.mailing_totals(of_mailing(kOtherMailing));
  REQUIRE(other.size() == 1);
  CHECK(other[0].sent == 1);
  CHECK(other[0].recipients == 1);
  store::ReportQuery q;
  q.owner = s.seed.other;
  q.mailing = RunSeed::kMailing;
  CHECK(reports.mailing_totals(q).empty());
  q = {};
  q.since = 101;  // both runs started at 100
  CHECK(reports.mailing_totals(q).empty());
  q.since = 100;
  q.until = 100;
  CHECK(reports.mailing_totals(q).size() == 2);
  q.until = 99;
  q.since.reset();
  CHECK(reports.mailing_totals(q).empty());
}

TEST_CASE_TEMPLATE("reports store: recipients list each one's last state and first events", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  seed_sends(b);
  auto rows = b.db().reports().recipients(RunSeed::kMailing);
  REQUIRE(rows.size() == 6);
  std::vector<std::string> order;
  for (const auto& r : rows) order.push_back(r.email);
  CHECK(order == std::vector<std::string>{"a@example.com", "b@example.com", "d@example.com", "e@example.com",
                                          "f@example.com", "g@example.com"});
  const RecipientReport &a = rows[0], &bb = rows[1], &d = rows[2], &e = rows[3], &f = rows[4], &g = rows[5];
  CHECK(a.client == 31);
  CHECK(a.name == "Name 31");
  CHECK(a.status == "sent");
  CHECK(a.tries == 1);
  CHECK(a.sent_at == 110);
  CHECK(a.opened_at == 200);  // not the scanner's at 111
  CHECK(a.clicked_at == 210);
  CHECK_FALSE(a.unsubscribed_at);
  CHECK(bb.status == "sent");
  CHECK(bb.tries == 2);
  CHECK(bb.smtp_code == 250);
  CHECK(bb.sent_at == 400);
  CHECK_FALSE(bb.opened_at);
  CHECK(bb.clicked_at == 500);
  CHECK(bb.unsubscribed_at == 520);
  CHECK(d.status == "bounced");
  CHECK(d.smtp_code == 550);
  CHECK(d.server_response == "550 user unknown");
  CHECK(d.bounced_at == 110);
  CHECK_FALSE(d.sent_at);
  CHECK(e.status == "failed");
  CHECK(e.tries == 3);
  CHECK(f.status == "deferred");
  CHECK(f.smtp_code == 421);
  CHECK(g.status == "pending");
  CHECK(g.tries == 0);
  CHECK_FALSE(g.smtp_code);
}

TEST_CASE_TEMPLATE("reports store: links count clicks and clickers, most clicked first", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  seed_sends(b);
  auto links = b.db().reports().links(of_mailing(RunSeed::kMailing), 0);
  REQUIRE(links.size() == 2);
  CHECK(links[0].url == "https://shop.example/one");
  CHECK(links[0].clicks == 2);
  CHECK(links[0].unique_clickers == 2);
  CHECK(links[1].url == "https://shop.example/two");
  CHECK(links[1].clicks == 1);
  CHECK(links[1].unique_clickers == 1);
  CHECK(b.db().reports().links(of_mailing(RunSeed::kMailing), 1).size() == 1);
  CHECK(b.db().reports().links(of_mailing(kOtherMailing), 0).empty());
}

TEST_CASE_TEMPLATE("reports store: activity falls into the buckets between the boundaries", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  seed_sends(b);
  auto& reports = b.db().reports();
  auto span = reports.activity_span(of_mailing(RunSeed::kMailing));
  REQUIRE(span);
  CHECK(span->first == 110);
  CHECK(span->last == 520);
  CHECK_FALSE(reports.activity_span(of_mailing(999)));
  const std::vector<Time> bounds = {0, 150, 1000};
  auto buckets = reports.activity(of_mailing(RunSeed::kMailing), bounds);
  REQUIRE(buckets.size() == 2);
  CHECK(buckets[0].start == 0);
  CHECK(buckets[0].sent == 1);
  CHECK(buckets[0].bounced == 1);
  CHECK(buckets[0].deferred == 1);
  CHECK(buckets[0].failed == 0);
  CHECK(buckets[0].opens == 0);  // the scanner's
  CHECK(buckets[1].start == 150);
  CHECK(buckets[1].sent == 1);
  CHECK(buckets[1].failed == 1);
  CHECK(buckets[1].opens == 2);
  CHECK(buckets[1].clicks == 3);
  CHECK(reports.activity(of_mailing(RunSeed::kMailing), std::vector<Time>{0}).empty());
}

TEST_CASE_TEMPLATE("reports store: bounce reasons group final bounces by code and reply", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  seed_sends(b);
  auto reasons = b.db().reports().bounce_reasons(of_mailing(RunSeed::kMailing));
  REQUIRE(reasons.size() == 1);
  CHECK(reasons[0].smtp_code == 550);
  CHECK(reasons[0].reason == "550 user unknown");
  CHECK(reasons[0].count == 1);
}

TEST_CASE_TEMPLATE("reports store: stats count mailings, active ones, delivered addresses and posts", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  Sends s = seed_sends(b);
  b.exec(
      fmt::format("INSERT INTO post (author, title, body, published, created_at, updated_at) "
                  "VALUES ({0}, 'p1', 'b', TRUE, 0, 0), ({0}, 'draft', 'b', FALSE, 0, 0), "
                  "({1}, 'p2', 'b', TRUE, 0, 0)",
                  s.seed.owner, s.seed.other));
  Stats own = b.db().reports().stats(s.seed.owner);
  CHECK(own.mailings == 1);
  CHECK(own.active_mailings == 1);
  CHECK(own.unique_recipients == 2);  // a and b
  CHECK(own.posts == 1);
  Stats all = b.db().reports().stats(std::nullopt);
  CHECK(all.mailings == 2);
  CHECK(all.active_mailings == 1);    // the other one is finished
  CHECK(all.unique_recipients == 2);  // A@example.com is a@example.com
  CHECK(all.posts == 2);
}

TEST_CASE_TEMPLATE("reports store: a deleted client's attempts stay a recipient of their own, by address",
                   Backend, MAILER_STORE_BACKENDS) {
  Backend b;
  seed_sends(b);
  auto& db = b.db();
  db.attempts().add_attempt(NewAttempt{kRun, RunSeed::kMailing, std::nullopt, "gone@example.com", 120,
                                       "deferred", 451, "451 later", ""});
  db.attempts().add_attempt(
      NewAttempt{kRun, RunSeed::kMailing, std::nullopt, "gone@example.com", 130, "sent", 250, "250 ok", ""});
  auto totals = db.reports().mailing_totals(of_mailing(RunSeed::kMailing));
  REQUIRE(totals.size() == 1);
  CHECK(totals[0].recipients == 7);
  CHECK(totals[0].sent == 3);
  auto rows = db.reports().recipients(RunSeed::kMailing);
  REQUIRE(rows.size() == 7);
  const RecipientReport& gone = rows[6];
  CHECK(gone.email == "gone@example.com");
  CHECK_FALSE(gone.client);
  CHECK(gone.status == "sent");
  CHECK(gone.tries == 2);
  CHECK(gone.sent_at == 130);
  CHECK_FALSE(gone.opened_at);
}
