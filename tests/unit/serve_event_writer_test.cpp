// The group-commit writer of `mailer serve`: every event handed over by any thread is
// committed exactly once, and its caller hears so.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "mailer/serve/event_writer.hpp"
#include "store_backends.hpp"
#include "store_runs_seed.hpp"

using namespace mailer;
using test::RunSeed;

TEST_CASE("serve: events recorded from many threads at once are each committed once") {
  test::SqliteFileBackend b;
  test::seed_mailing(b);
  store::Database& db = b.db();
  Id run = db.runs().create_test_run(RunSeed::kMailing, 100);
  Id attempt = db.attempts().add_attempt(
      NewAttempt{run, RunSeed::kMailing, 31, "a@example.com", 110, "sent", 250, "250 ok", "<a@example.com>"});
  const std::string path = dynamic_cast<store::Db&>(db).path();
  std::atomic<int> warnings{0};
  serve::EventWriter writer(
      std::make_unique<store::Db>(path), [&](const std::string&) { ++warnings; }, 16);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        NewEvent e;
        e.attempt = attempt;
        e.run = run;
        e.client = 31;
        e.kind = "open";
        e.at = 200 + t;
        if (writer.record(e)) ++ok;
      }
    });
  for (auto& t : threads) t.join();
  CHECK(ok == 400);
  CHECK(db.events().list_events(run, 31).size() == 400);
  // An event that cannot be stored fails alone, not its batch.
  NewEvent bad;
  bad.attempt = attempt + 999;
  bad.run = run;
  bad.client = 31;
  bad.kind = "open";
  CHECK_FALSE(writer.record(bad));
  CHECK(warnings > 0);
  writer.stop();
  NewEvent late = bad;
  late.attempt = attempt;
  CHECK_FALSE(writer.record(late));
  CHECK(db.events().list_events(run, 31).size() == 400);
}
