// Contract: the attempt store of every backend (SPEC §1 attempt, §2 report attempts).
#include <doctest/doctest.h>

#include "store_backends.hpp"
#include "store_runs_seed.hpp"

using namespace mailer;
using test::RunSeed;

namespace {

NewAttempt attempt(Id run, std::optional<Id> client, const std::string& email, Time at, const char* status) {
  return NewAttempt{run, RunSeed::kMailing, client, email, at, status, 250, "250 ok", "<" + email + ">"};
}

}  // namespace

TEST_CASE_TEMPLATE("attempts store: an added attempt lists back with its fields", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  test::seed_mailing(b);
  store::Database& db = b.db();
  Id run = db.runs().create_test_run(RunSeed::kMailing, 100);
  Id first = db.attempts().add_attempt(attempt(run, 31, "a@example.com", 110, "sent"));
  NewAttempt no_code = attempt(run, std::nullopt, "gone@example.com", 120, "deferred");
  no_code.smtp_code.reset();
  Id second = db.attempts().add_attempt(no_code);
  CHECK(second > first);
  auto all = db.attempts().list_attempts(store::AttemptQuery{});
  REQUIRE(all.size() == 2);
  CHECK(all[0].id == first);
  CHECK(all[0].run == run);
  CHECK(all[0].mailing == RunSeed::kMailing);
  CHECK(all[0].client == 31);
  CHECK(all[0].email == "a@example.com");
  CHECK(all[0].at == 110);
  CHECK(all[0].status == "sent");
  CHECK(all[0].smtp_code == 250);
  CHECK(all[0].server_response == "250 ok");
  CHECK_FALSE(all[1].client);
  CHECK_FALSE(all[1].smtp_code);
}

TEST_CASE_TEMPLATE("attempts store: a listing narrows by owner, mailing, status, time and address", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  RunSeed s = test::seed_mailing(b);
  store::Database& db = b.db();
  Id run = db.runs().create_test_run(RunSeed::kMailing, 100);
  db.attempts().add_attempt(attempt(run, 31, "a@example.com", 110, "deferred"));
  db.attempts().add_attempt(attempt(run, 31, "a@example.com", 120, "sent"));
  db.attempts().add_attempt(attempt(run, 32, "b@example.com", 130, "failed"));
  auto count = [&](const store::AttemptQuery& q) { return db.attempts().list_attempts(q).size(); };
  store::AttemptQuery q;
  CHECK(count(q) == 3);
  q.owner = s.other;
  CHECK(count(q) == 0);
  q.owner = s.owner;
  CHECK(count(q) == 3);
  q = {};
  q.mailing = 999;
  CHECK(count(q) == 0);
  q.mailing = RunSeed::kMailing;
  CHECK(count(q) == 3);
  q = {};
  q.status = "sent";
  CHECK(count(q) == 1);
  q = {};
  q.since = 120;
  CHECK(count(q) == 2);
  q = {};
  q.email = "A@EXAMPLE.com";
  CHECK(count(q) == 2);
}

TEST_CASE_TEMPLATE("attempts store: final picks each recipient's last attempt before the other filters",
                   Backend, MAILER_STORE_BACKENDS) {
  Backend b;
  test::seed_mailing(b);
  store::Database& db = b.db();
  Id run = db.runs().create_test_run(RunSeed::kMailing, 100);
  db.attempts().add_attempt(attempt(run, 31, "a@example.com", 110, "deferred"));
  db.attempts().add_attempt(attempt(run, 31, "a@example.com", 120, "failed"));
  db.attempts().add_attempt(attempt(run, 32, "b@example.com", 130, "deferred"));
  // Two deleted clients' attempts keep their own addresses apart.
  db.attempts().add_attempt(attempt(run, std::nullopt, "x@example.com", 140, "sent"));
  db.attempts().add_attempt(attempt(run, std::nullopt, "y@example.com", 150, "sent"));
  store::AttemptQuery q;
  q.final = true;
  auto last = db.attempts().list_attempts(q);
  REQUIRE(last.size() == 4);
  CHECK(last[0].status == "failed");
  CHECK(last[1].client == 32);
  q.status = "deferred";
  last = db.attempts().list_attempts(q);
  REQUIRE(last.size() == 1);
  CHECK(last[0].client == 32);
}

TEST_CASE_TEMPLATE("attempts store: the address filter folds ASCII letters only, as it always has", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  test::seed_mailing(b);
  store::Database& db = b.db();
  Id run = db.runs().create_test_run(RunSeed::kMailing, 100);
  db.attempts().add_attempt(attempt(run, std::nullopt, "олег@пример.рф", 110, "sent"));
  db.attempts().add_attempt(attempt(run, std::nullopt, "Oleg@Example.com", 120, "sent"));
  db.attempts().add_attempt(attempt(run, std::nullopt, "oleg@example.co", 130, "sent"));
  auto emails = [&](const char* email) {
    store::AttemptQuery q;
    q.email = email;
    std::vector<std::string> out;
    for (const auto& a : db.attempts().list_attempts(q)) out.push_back(a.email);
    return out;
  };
  CHECK(emails("oleg@example.com") == std::vector<std::string>{"Oleg@Example.com"});
  CHECK(emails("OLEG@EXAMPLE.COM") == std::vector<std::string>{"Oleg@Example.com"});
  CHECK(emails("олег@пример.рф") == std::vector<std::string>{"олег@пример.рф"});
  CHECK(emails("ОЛЕГ@пример.рф").empty());
  CHECK(emails("олег@ПРИМЕР.рф").empty());
  CHECK(emails("oleg@example").empty());
}
