// Retries and stops (SPEC §3): back-off between tries, `send.max_tries`, and a run that stops
// after session refusals in a row, through send_due with a fake transport.
#include <doctest/doctest.h>

#include "dispatch_world.hpp"

using namespace mailer;
using test::c;
using test::DispatchWorld;
using test::kT0;
using test::Reply;

TEST_CASE(
    "dispatch: each deferral waits the next back-off of delivery_policy, and nothing is retried early (SPEC "
    "§3)") {
  DispatchWorld w;
  w.config.max_tries = 6;
  auto ids = w.clients(1);
  w.mailing(ids);
  w.server.script(c(1), {Reply::greylisted, Reply::greylisted, Reply::greylisted, Reply::greylisted});
  Time now = kT0;
  Time last_wait = 0;
  for (int tries = 1; tries <= 4; ++tries) {
    CAPTURE(tries);
    SendSummary s = w.due(now);
    CHECK(s.deferred == 1);
    CHECK(w.tries(ids[0]) == tries);
    const Time wait = policy::retry_delay(tries);
    CHECK(wait > last_wait);
    CHECK(w.retry_at(ids[0]) == now + wait);
    // A tick before the back-off ends leaves the recipient alone.
    w.due(now + wait - 1);
    CHECK(w.server.delivered.size() == static_cast<std::size_t>(tries));
    last_wait = wait;
    now += wait;
  }
  SendSummary s = w.due(now);
  CHECK(s.sent == 1);
  CHECK(w.state(ids[0]) == "done");
  CHECK(w.attempts(c(1)) == std::vector<std::string>{"deferred", "deferred", "deferred", "deferred", "sent"});
}

TEST_CASE("dispatch: the try that reaches max_tries fails the recipient for good (SPEC §3 then failed)") {
  DispatchWorld w;
  w.config.max_tries = 3;
  auto ids = w.clients(2);
  Id m = w.mailing(ids);
  w.server.script(c(1), {Reply::greylisted, Reply::cut_after_data, Reply::greylisted});
  CHECK(w.due(kT0).deferred == 1);
  const Time second = kT0 + policy::retry_delay(1);
  CHECK(w.due(second).deferred == 1);
  const Time third = second + policy::retry_delay(2);
  SendSummary s = w.due(third);
  CHECK(s.failed == 1);
  CHECK(s.deferred == 0);
  CHECK(send_exit_code(s) == 0);
  CHECK(w.state(ids[0]) == "done");
  CHECK(w.tries(ids[0]) == 3);
  CHECK(w.attempts(c(1)) == std::vector<std::string>{"deferred", "deferred", "failed"});
  CHECK(w.one_text("SELECT status FROM mailing WHERE id = ?", m) == "finished");
  w.due(third + 86400);
  CHECK(w.server.delivered.size() == 4);  // c2 once, c1 three times
}

TEST_CASE(
    "dispatch: session refusals do not use up tries: max_tries counts only the recipient's own replies (SPEC "
    "§3)") {
  DispatchWorld w;
  w.config.max_tries = 2;
  auto ids = w.clients(1);
  w.mailing(ids);
  w.server.script(c(1), {Reply::greeting_421, Reply::no_connection, Reply::greylisted, Reply::auth_535,
                         Reply::greylisted});
  w.due(kT0);
  w.due(kT0);
  CHECK(w.tries(ids[0]) == 0);
  w.due(kT0);
  CHECK(w.tries(ids[0]) == 1);
  const Time next = kT0 + policy::retry_delay(1);
  w.due(next);
  CHECK(w.tries(ids[0]) == 1);
  CHECK(w.state(ids[0]) == "deferred");
  SendSummary s = w.due(next);
  CHECK(s.failed == 1);
  CHECK(w.attempts(c(1)) ==
        std::vector<std::string>{"deferred", "deferred", "deferred", "deferred", "failed"});
}

TEST_CASE(
    "dispatch: the run stops after one session refusal per connection in a row, the rest left queued with no "
    "try used (SPEC §3)") {
  DispatchWorld w;
  w.config.smtp.connections = 3;
  auto ids = w.clients(8);
  w.mailing(ids);
  w.server.fallback = Reply::greeting_421;
  SendSummary s = w.due(kT0);
  CHECK(w.server.transports_made == std::vector<int>{3});
  CHECK(w.server.delivered.size() == 3);
  CHECK(s.unavailable == 3);
  CHECK(s.total == 8);
  CHECK(send_exit_code(s) == 69);
  for (Id id : ids) CHECK(w.tries(id) == 0);
  for (std::size_t i = 3; i < ids.size(); ++i) CHECK(w.state(ids[i]) == "pending");
  CHECK(w.one_int("SELECT count(*) FROM attempt") == 3);
  CHECK(w.one_int("SELECT count(*) FROM run WHERE finished_at IS NULL AND paused = 0") == 1);
}

TEST_CASE(
    "dispatch: a recipient's own reply between session refusals restarts the count (SPEC §3 refusals in a "
    "row)") {
  DispatchWorld w;
  w.config.smtp.connections = 2;
  auto ids = w.clients(6);
  w.mailing(ids);
  w.server.script(c(1), {Reply::greeting_421});
  w.server.script(c(2), {Reply::greylisted});
  w.server.script(c(3), {Reply::greeting_421});
  w.server.script(c(4), {Reply::auth_535});
  SendSummary s = w.due(kT0);
  // c1 refused (1 in a row), c2 deferred (0), c3 and c4 refused (2 = connections): stop.
  CHECK(w.server.rcpts() == std::vector<std::string>{c(1), c(2), c(3), c(4)});
  CHECK(s.unavailable == 3);
  CHECK(s.deferred == 4);
  CHECK(w.tries(ids[1]) == 1);
  CHECK(w.state(ids[4]) == "pending");
  CHECK(w.state(ids[5]) == "pending");
}

TEST_CASE(
    "dispatch: a batch the transport reports together is folded in delivery order (SPEC §3 durability)") {
  DispatchWorld w;
  w.config.smtp.connections = 4;
  auto ids = w.clients(10);
  w.mailing(ids);
  w.server.script(c(3), {Reply::no_such_user});
  SendSummary s = w.due(kT0);
  CHECK(w.server.batches == std::vector<std::size_t>{4, 4, 2});
  CHECK(s.sent == 9);
  CHECK(s.bounced == 1);
  auto st = w.db.prepare("SELECT email FROM attempt ORDER BY id");
  std::vector<std::string> logged;
  while (st.step()) logged.push_back(st.text(0));
  CHECK(logged == w.server.rcpts());
}
