// Contract: the bounce report store of every backend (SPEC §2 bounces; issue 12 item 3).
#include <doctest/doctest.h>

#include "store_backends.hpp"
#include "store_runs_seed.hpp"

using namespace mailer;
using test::RunSeed;

namespace {

// Raw bytes as the server gave them, a NUL and a control byte included.
constexpr char kRaw[] = "From: MAILER-DAEMON\r\n\r\nraw\0\x01 bytes";
const std::string raw_bytes(kRaw, sizeof kRaw - 1);

Id add_attempt(store::Database& db, Id run, Id client, const char* email, Time at, const char* message_id) {
  return db.attempts().add_attempt(
      NewAttempt{run, RunSeed::kMailing, client, email, at, "sent", 250, "250 ok", message_id});
}

NewBounceReport report(const char* identity, const char* message_id, std::optional<Id> attempt) {
  NewBounceReport r;
  r.identity = identity;
  r.message_id = message_id;
  r.received = 500;
  r.kind = "bounce";
  r.raw = raw_bytes;
  r.recipients.push_back({"a@example.com", "5.1.1", "userunknown", "hard", "550 no such user", attempt,
                          attempt ? "message-id" : ""});
  return r;
}

}  // namespace

TEST_CASE_TEMPLATE("bounce reports: kept once per identity, with raw bytes and recipients", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  RunSeed seed = test::seed_mailing(b);
  store::Database& db = b.db();
  store::BounceReportStore& reports = db.bounce_reports();
  Id run = db.runs().create_test_run(RunSeed::kMailing, 100);
  Id attempt = add_attempt(db, run, 31, "a@example.com", 110, "<m1@shop.example>");

  CHECK_FALSE(reports.known("imap:7:1", "<r1@x>"));
  auto id = reports.add(report("imap:7:1", "<r1@x>", attempt));
  REQUIRE(id);
  CHECK(reports.known("imap:7:1", ""));
  CHECK(reports.known("imap:7:99", "<r1@x>"));                           // the same report under another UID
  CHECK_FALSE(reports.add(report("imap:7:1", "<r2@x>", std::nullopt)));  // the unique identity

  auto kept = reports.report(*id);
  REQUIRE(kept);
  CHECK(kept->raw == raw_bytes);
  REQUIRE(kept->recipients.size() == 1);
  CHECK(kept->recipients[0].attempt == attempt);
  CHECK(kept->recipients[0].reason == "userunknown");
  CHECK(reports.owners(*id) == std::vector<Id>{seed.owner});

  auto other = reports.add(report("imap:7:2", "", std::nullopt));
  REQUIRE(other);
  CHECK(reports.list({}).size() == 2);
  CHECK(reports.list({seed.owner, false}).size() == 1);
  CHECK(reports.list({seed.other, false}).empty());
  auto unmatched = reports.list({std::nullopt, true});
  REQUIRE(unmatched.size() == 1);
  CHECK(unmatched[0].report == *other);
}

TEST_CASE_TEMPLATE("bounce reports: an attempt by Message-ID, or the latest to an address since a time",
                   Backend, MAILER_STORE_BACKENDS) {
  Backend b;
  RunSeed seed = test::seed_mailing(b);
  store::Database& db = b.db();
  store::BounceReportStore& reports = db.bounce_reports();
  Id run = db.runs().create_test_run(RunSeed::kMailing, 100);
  Id first = add_attempt(db, run, 31, "a@example.com", 110, "<m1@shop.example>");
  Id second = add_attempt(db, run, 31, "a@example.com", 210, "<m2@shop.example>");

  auto by_id = reports.attempt_by_message_id("m1@shop.example");
  REQUIRE(by_id);
  CHECK(by_id->attempt == first);
  CHECK(by_id->owner == seed.owner);
  CHECK(reports.attempt_by_message_id("<m2@shop.example>")->attempt == second);
  CHECK_FALSE(reports.attempt_by_message_id("<m3@shop.example>"));
  CHECK_FALSE(reports.attempt_by_message_id(""));

  CHECK(reports.latest_attempt_to("A@Example.com", 100)->attempt == second);
  CHECK_FALSE(reports.latest_attempt_to("a@example.com", 211));
  CHECK_FALSE(reports.latest_attempt_to("b@example.com", 0));

  // A VERP return path names the run and the client: that client's latest attempt in that run.
  Id other_run = db.runs().create_test_run(RunSeed::kMailing, 300);
  Id third = add_attempt(db, other_run, 31, "a@example.com", 310, "<m3@shop.example>");
  CHECK(reports.attempt_in_run(run, 31)->attempt == second);
  CHECK(reports.attempt_in_run(other_run, 31)->attempt == third);
  CHECK(reports.attempt_in_run(other_run, 31)->owner == seed.owner);
  CHECK_FALSE(reports.attempt_in_run(other_run + 1, 31));
  CHECK_FALSE(reports.attempt_in_run(run, 32));
}
