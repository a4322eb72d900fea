// Contract: the report store's bounce events by reason in every backend (issue 12, item 5;
// `report bounces`): a 550 at RCPT and mailed reports alike, several events of one recipient,
// the latest event's diagnostic as the example, a complaint apart, a detail that is no JSON, a
// deleted client, a test send and another owner's mailing that must not count; and the older
// grouping by SMTP reply keeps only the bounced attempts that have no event.
#include <doctest/doctest.h>

#include <ostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "store_backends.hpp"
#include "store_runs_seed.hpp"

using namespace mailer;
using test::RunSeed;

namespace {

constexpr Id kRun = 60;
constexpr Id kOtherRun = 70;
constexpr Id kOtherMailing = 21;

std::string detail(const char* reason, const char* severity, const std::string& diagnostic) {
  return fmt::format(
      R"({{"reason":"{}","status":"5.0.0","severity":"{}","diagnostic":"{}","source":"report"}})", reason,
      severity, diagnostic);
}

template <class Backend>
Id attempt(Backend& b, Id run, Id mailing, std::optional<Id> client, const std::string& email,
           const char* status, int code, const std::string& reply) {
  return b.db().attempts().add_attempt(NewAttempt{run, mailing, client, email, 110, status, code, reply, ""});
}

template <class Backend>
void event(Backend& b, Id attempt, Id run, std::optional<Id> client, const char* kind, Time at,
           const std::string& text, const std::string& key) {
  REQUIRE(b.db().bounces().add_bounce_event(NewBounceEvent{attempt, run, client, kind, at, text, key}));
}

template <class Backend>
RunSeed seed_bounces(Backend& b) {
  RunSeed s = test::seed_mailing(b);
  test::seed_client(b, 34, s.owner, "d@example.com");
  test::seed_client(b, 35, s.owner, "e@example.com");
  b.exec(
      fmt::format("INSERT INTO run (id, mailing, trigger, scheduled_for, started_at) VALUES ({}, 20, "
                  "'manual', 100, 100)",
                  kRun));
  const Id m = RunSeed::kMailing;
  // a: 550 5.1.1 at RCPT (hard). b: two mailed reports of a full mailbox on one sent attempt,
  // and a hand-written detail. d: a full mailbox too, then a complaint.
  const Id a = attempt(b, kRun, m, 31, "a@example.com", "bounced", 550, "550 5.1.1 unknown a");
  event(b, a, kRun, 31, "bounce", 110, detail("userunknown", "hard", "550 5.1.1 unknown a"), "smtp");
  const Id bb = attempt(b, kRun, m, 32, "b@example.com", "sent", 250, "250 ok");
  event(b, bb, kRun, 32, "bounce", 200, detail("mailboxfull", "soft", "old: full"), "r1");
  event(b, bb, kRun, 32, "bounce", 300, detail("mailboxfull", "soft", "new: over quota"), "r2");
  event(b, bb, kRun, 32, "bounce", 500, "not json at all", "r3");
  const Id d = attempt(b, kRun, m, 34, "d@example.com", "sent", 250, "250 ok");
  event(b, d, kRun, 34, "bounce", 250, detail("mailboxfull", "soft", "d: full"), "r4");
  event(b, d, kRun, 34, "complaint", 400, detail("complaint", "soft", "abuse"), "r5");
  // A deleted client's hard bounce: the recipient is its address.
  const Id gone = attempt(b, kRun, m, std::nullopt, "gone@example.com", "bounced", 550, "550 5.1.1 gone");
  event(b, gone, kRun, std::nullopt, "bounce", 120, detail("userunknown", "hard", "550 5.1.1 gone"), "smtp");
  // Bounced before bounce events existed: no event, only the reply.
  attempt(b, kRun, m, 35, "e@example.com", "bounced", 554, "554 old refusal");
  // A test copy that bounced: never counted.
  const Id test_run = b.db().runs().create_test_run(m, 600);
  const Id t = attempt(b, test_run, m, 31, "a@example.com", "bounced", 550, "550 5.1.1 test");
  event(b, t, test_run, 31, "bounce", 610, detail("userunknown", "hard", "test copy"), "smtp");
  // Another owner's mailing with a bounce.
  b.exec(fmt::format(
      "INSERT INTO mailing (id, owner, name, message, start_at, every, status, enabled, created_at) "
      "VALUES ({}, {}, 'other', 10, 0, 'once', 'finished', TRUE, 0)",
      kOtherMailing, s.other));
  b.exec(fmt::format(
      "INSERT INTO run (id, mailing, trigger, scheduled_for, started_at) VALUES ({}, {}, 'manual', 100, 100)",
      kOtherRun, kOtherMailing));
  const Id o = attempt(b, kOtherRun, kOtherMailing, 51, "a@example.com", "bounced", 550, "550 other");
  event(b, o, kOtherRun, 51, "bounce", 130, detail("hostunknown", "hard", "other's"), "smtp");
  return s;
}

struct Row {
  Id mailing;
  std::string kind, reason, severity;
  std::int64_t bounces, recipients;
  std::string example;
  bool operator==(const Row&) const = default;
};

// What a failed CHECK prints.
std::ostream& operator<<(std::ostream& os, const Row& r) {
  return os << fmt::format("{{{} {} {} '{}' {} {} '{}'}}", r.mailing, r.kind, r.reason, r.severity, r.bounces,
                           r.recipients, r.example);
}

std::vector<Row> rows(const std::vector<BounceEventReason>& in) {
  std::vector<Row> out;
  for (const auto& r : in)
    out.push_back(Row{r.mailing, r.kind, r.reason, r.severity, r.bounces, r.recipients, r.example});
  return out;
}

}  // namespace

TEST_CASE_TEMPLATE("reports store: bounce events by reason and severity, complaints apart", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  RunSeed s = seed_bounces(b);
  store::ReportQuery own;
  own.owner = s.owner;
  const std::vector<Row> expected = {
      {0, "bounce", "mailboxfull", "soft", 3, 2, "new: over quota"},
      {0, "bounce", "userunknown", "hard", 2, 2, "550 5.1.1 gone"},
      {0, "bounce", "undefined", "soft", 1, 1, ""},
      {0, "complaint", "complaint", "", 1, 1, "abuse"},
  };
  CHECK(rows(b.db().reports().bounce_events(own, false)) == expected);
  store::ReportQuery one;
  one.mailing = RunSeed::kMailing;
  CHECK(rows(b.db().reports().bounce_events(one, false)) == expected);

  // Everyone's, per mailing: the other owner's mailing has its own rows, after the first's.
  auto all = rows(b.db().reports().bounce_events(store::ReportQuery{}, true));
  REQUIRE(all.size() == 5);
  CHECK(all[0] == Row{20, "bounce", "mailboxfull", "soft", 3, 2, "new: over quota"});
  CHECK(all[4] == Row{kOtherMailing, "bounce", "hostunknown", "hard", 1, 1, "other's"});
  // Everyone's in one: the other owner's hostunknown is a row of its own, among those of one event.
  auto together = rows(b.db().reports().bounce_events(store::ReportQuery{}, false));
  REQUIRE(together.size() == 5);
  CHECK(together[1] == Row{0, "bounce", "userunknown", "hard", 2, 2, "550 5.1.1 gone"});
  CHECK(together[2] == Row{0, "bounce", "hostunknown", "hard", 1, 1, "other's"});

  // Runs started after the seed's: nothing.
  store::ReportQuery later = own;
  later.since = 101;
  CHECK(b.db().reports().bounce_events(later, false).empty());
  store::ReportQuery earlier = own;
  earlier.until = 100;
  CHECK(b.db().reports().bounce_events(earlier, false).size() == expected.size());
}

TEST_CASE_TEMPLATE("reports store: the SMTP reply grouping is left to bounced attempts without an event",
                   Backend, MAILER_STORE_BACKENDS) {
  Backend b;
  seed_bounces(b);
  store::ReportQuery q;
  q.mailing = RunSeed::kMailing;
  auto older = b.db().reports().bounce_reasons(q);
  REQUIRE(older.size() == 1);
  CHECK(older[0].smtp_code == 554);
  CHECK(older[0].reason == "554 old refusal");
  CHECK(older[0].count == 1);
}
