// What a bounce does once known (issue 12, items 4 and 5; core/suppression.hpp): a hard bounce
// suppresses at once, soft ones after bounces.soft_limit in a row with no delivery in between,
// each report counts once, and only the owner's client is touched.
#include <doctest/doctest.h>

#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mailer/base/error.hpp"
#include "mailer/core/suppression.hpp"
#include "store_backends.hpp"
#include "store_runs_seed.hpp"

using namespace mailer;
using bounce::Reason;
using bounce::Severity;

namespace {

constexpr int kLimit = 3;

// Attempt `id` of client `client` in run `id` (one run per attempt, as mailings go out), sent.
template <class Backend>
void sent(Backend& b, Id id, Id client = 31, const char* status = "sent") {
  b.exec(
      fmt::format("INSERT INTO run (id, mailing, trigger, scheduled_for, started_at) VALUES ({0}, 20, "
                  "'manual', {0}, {0})",
                  id));
  b.exec(
      fmt::format("INSERT INTO attempt (id, run, mailing, client, email, at, status) VALUES ({0}, {0}, 20, "
                  "{1}, 'x', {0}, "
                  "'{2}')",
                  id, client, status));
}

BounceVerdict hard(const std::string& key = "r1") {
  return BounceVerdict{Reason::userunknown, "5.1.1", Severity::hard, "550 5.1.1 User unknown", "report", key};
}
BounceVerdict soft(const std::string& key = "r1", Reason reason = Reason::mailboxfull) {
  return BounceVerdict{reason, "5.2.2", Severity::soft, "552 5.2.2 Mailbox full", "report", key};
}

template <class Backend>
Client client(Backend& b, Id id) {
  return *b.db().clients().client(id);
}

template <class Backend>
std::string status_of(Backend& b, Id attempt) {
  return b.db().bounces().bounce_target(attempt)->status;
}

}  // namespace

TEST_CASE_TEMPLATE("record_bounce: a hard bounce bounces the attempt and suppresses its client at once",
                   Backend, MAILER_STORE_BACKENDS) {
  Backend b;
  test::seed_mailing(b);
  sent(b, 100);
  BounceOutcome out = record_bounce(b.db(), 100, hard(), 1000, kLimit);
  CHECK(out.recorded);
  CHECK(out.suppressed);
  CHECK(out.suppressed_reason == "userunknown");
  CHECK(status_of(b, 100) == "bounced");
  Client c = client(b, 31);
  CHECK(c.suppressed_at == 1000);
  CHECK(c.suppressed_reason == "userunknown");
  // Client 51 has the same address, but belongs to another owner: untouched.
  CHECK_FALSE(client(b, 51).suppressed_at);
  CHECK_FALSE(client(b, 32).suppressed_at);
  // The event: kind bounce, its detail a JSON object.
  auto events = b.db().events().list_events(100, 31);
  REQUIRE(events.size() == 1);
  CHECK(events[0].kind == "bounce");
  CHECK(events[0].at == 1000);
  auto detail = nlohmann::json::parse(events[0].detail);
  CHECK(detail["reason"] == "userunknown");
  CHECK(detail["status"] == "5.1.1");
  CHECK(detail["severity"] == "hard");
  CHECK(detail["diagnostic"] == "550 5.1.1 User unknown");
  CHECK(detail["source"] == "report");
}

TEST_CASE_TEMPLATE("record_bounce: the same report twice is recorded once", Backend, MAILER_STORE_BACKENDS) {
  Backend b;
  test::seed_mailing(b);
  sent(b, 100);
  REQUIRE(record_bounce(b.db(), 100, soft("<r@mx>"), 1000, kLimit).recorded);
  sent(b, 101);
  // The first report fetched again, twice: still one soft bounce in a row before 101's.
  CHECK_FALSE(record_bounce(b.db(), 100, soft("<r@mx>"), 1100, kLimit).recorded);
  CHECK(record_bounce(b.db(), 101, soft("<s@mx>"), 1200, kLimit).soft_in_a_row == 2);
  CHECK_FALSE(record_bounce(b.db(), 101, soft("<s@mx>"), 1300, kLimit).recorded);
  CHECK(b.db().events().list_events(100, 31).size() == 1);
  CHECK_FALSE(client(b, 31).suppressed_at);
  // A hard report recorded twice, after an unsuppress: it does not suppress again.
  sent(b, 102);
  REQUIRE(record_bounce(b.db(), 102, hard("<h@mx>"), 1400, kLimit).suppressed);
  REQUIRE(b.db().clients().unsuppress_client(31, 1500));
  BounceOutcome again = record_bounce(b.db(), 102, hard("<h@mx>"), 1600, kLimit);
  CHECK_FALSE(again.recorded);
  CHECK_FALSE(again.suppressed);
  CHECK_FALSE(client(b, 31).suppressed_at);
}

TEST_CASE_TEMPLATE("record_bounce: soft bounces suppress after soft_limit in a row, the attempts stay sent",
                   Backend, MAILER_STORE_BACKENDS) {
  Backend b;
  test::seed_mailing(b);
  sent(b, 100);
  BounceOutcome first = record_bounce(b.db(), 100, soft(), 1000, kLimit);
  CHECK(first.recorded);
  CHECK(first.soft_in_a_row == 1);
  CHECK_FALSE(first.suppressed);
  CHECK(status_of(b, 100) == "sent");
  // Two reports on one attempt count once.
  CHECK(record_bounce(b.db(), 100, soft("r2"), 1001, kLimit).soft_in_a_row == 1);
  sent(b, 101);
  CHECK(record_bounce(b.db(), 101, soft(), 1100, kLimit).soft_in_a_row == 2);
  CHECK_FALSE(client(b, 31).suppressed_at);
  sent(b, 102);
  BounceOutcome third = record_bounce(b.db(), 102, soft("r1", Reason::blocked), 1200, kLimit);
  CHECK(third.soft_in_a_row == 3);
  CHECK(third.suppressed);
  CHECK(third.suppressed_reason == "soft bounces: mailboxfull ×2, blocked ×1");
  CHECK(client(b, 31).suppressed_at == 1200);
  CHECK(status_of(b, 102) == "sent");
}

TEST_CASE_TEMPLATE("record_bounce: a delivery in between starts the soft bounces in a row again", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  test::seed_mailing(b);
  sent(b, 100);
  record_bounce(b.db(), 100, soft(), 1000, kLimit);
  sent(b, 101);
  CHECK(record_bounce(b.db(), 101, soft(), 1000, kLimit).soft_in_a_row == 2);
  // 102 was sent and no bounce came for it: a delivery.
  sent(b, 102);
  sent(b, 103);
  CHECK(record_bounce(b.db(), 103, soft(), 1000, kLimit).soft_in_a_row == 1);
  // A later attempt sent with no bounce (so far) is a delivery too: an older report counts none.
  sent(b, 104);
  CHECK(record_bounce(b.db(), 103, soft("r2"), 1000, kLimit).soft_in_a_row == 0);
  // Its own report counts from it: 104 soft, 103 soft, then 102 delivered.
  CHECK(record_bounce(b.db(), 104, soft(), 1000, kLimit).soft_in_a_row == 2);
  CHECK_FALSE(client(b, 31).suppressed_at);
  // A late report for 102 (it bounced after all) joins the two runs of soft bounces: five.
  BounceOutcome late = record_bounce(b.db(), 102, soft(), 1000, kLimit);
  CHECK(late.soft_in_a_row == 5);
  CHECK(late.suppressed);
}

TEST_CASE_TEMPLATE("record_bounce: deferred and failed tries and test copies neither count nor deliver",
                   Backend, MAILER_STORE_BACKENDS) {
  Backend b;
  test::seed_mailing(b);
  sent(b, 100);
  record_bounce(b.db(), 100, soft(), 1000, kLimit);
  sent(b, 101, 31, "deferred");
  sent(b, 102, 31, "failed");
  b.exec("INSERT INTO run (id, mailing, trigger, scheduled_for, started_at) VALUES (103, 20, 'test', 0, 0)");
  b.exec(
      "INSERT INTO attempt (id, run, mailing, client, email, at, status) VALUES (103, 103, 20, 31, 'x', 0, "
      "'sent')");
  sent(b, 104);
  CHECK(record_bounce(b.db(), 104, soft(), 1000, kLimit).soft_in_a_row == 2);
}

TEST_CASE_TEMPLATE("record_bounce: after an unsuppress only the soft bounces since count", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  test::seed_mailing(b);
  for (Id a : {100, 101, 102}) sent(b, a);
  for (Id a : {100, 101, 102}) record_bounce(b.db(), a, soft(), 1000, kLimit);
  REQUIRE(client(b, 31).suppressed_at);
  REQUIRE(b.db().clients().unsuppress_client(31, 500));  // after attempt 102 (at 102)
  sent(b, 600);
  BounceOutcome out = record_bounce(b.db(), 600, soft(), 1000, kLimit);
  CHECK(out.soft_in_a_row == 1);
  CHECK_FALSE(out.suppressed);
  CHECK_FALSE(client(b, 31).suppressed_at);
}

TEST_CASE_TEMPLATE("record_bounce: a complaint is its own event and suppresses nothing", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  test::seed_mailing(b);
  sent(b, 100);
  BounceVerdict v{Reason::complaint, "", Severity::soft, "abuse", "report", "<arf@isp>"};
  BounceOutcome out = record_bounce(b.db(), 100, v, 1000, 1);
  CHECK(out.recorded);
  CHECK_FALSE(out.suppressed);
  auto events = b.db().events().list_events(100, 31);
  REQUIRE(events.size() == 1);
  CHECK(events[0].kind == "complaint");
  CHECK(status_of(b, 100) == "sent");
  CHECK_FALSE(client(b, 31).suppressed_at);
  CHECK_THROWS_AS(record_bounce(b.db(), 999, hard(), 1000, kLimit), Error);
}

TEST_CASE("verdict_of_reply: a 5xx to RCPT is classified as a report would be") {
  BounceVerdict dead =
      verdict_of_reply(550, "550 5.1.1 <ann@example.com>: Recipient address rejected: User unknown");
  CHECK(dead.status == "5.1.1");
  CHECK(dead.reason == Reason::userunknown);
  CHECK(dead.severity == Severity::hard);
  CHECK(dead.source == "smtp");
  CHECK(dead.report_key == "smtp");
  BounceVerdict full = verdict_of_reply(552, "552 5.2.2 Mailbox full");
  CHECK(full.reason == Reason::mailboxfull);
  CHECK(full.severity == Severity::soft);
  BounceVerdict blocked = verdict_of_reply(554, "554 5.7.1 Your IP is listed in the Spamhaus blocklist");
  CHECK(blocked.reason == Reason::blocked);
  CHECK(blocked.severity == Severity::soft);
  // No enhanced status: the class of the code, and the words decide.
  BounceVerdict plain = verdict_of_reply(550, "550-No such user here\r\n550 Try another");
  CHECK(plain.status == "5.0.0");
  CHECK(plain.reason == Reason::userunknown);
  CHECK(plain.severity == Severity::hard);
  CHECK(plain.diagnostic == "550-No such user here 550 Try another");
}
