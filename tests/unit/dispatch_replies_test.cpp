// What each class of SMTP reply does to a recipient and its run (SPEC §3 "Every try is recorded
// ...", "A refusal that is about the session ..."), through send_due with a fake transport.
#include <doctest/doctest.h>

#include "dispatch_world.hpp"

using namespace mailer;
using test::c;
using test::DispatchWorld;
using test::kT0;
using test::Reply;

TEST_CASE(
    "dispatch: a 250 marks the recipient sent with the server's reply and finishes a once mailing (SPEC "
    "§3)") {
  DispatchWorld w;
  auto ids = w.clients(2);
  Id m = w.mailing(ids);
  SendSummary s = w.due(kT0);
  CHECK(s.runs == 1);
  CHECK(s.total == 2);
  CHECK(s.sent == 2);
  CHECK(send_exit_code(s) == 0);
  CHECK(w.server.rcpts() == std::vector<std::string>{c(1), c(2)});
  CHECK(w.state(ids[0]) == "done");
  CHECK(w.attempts(c(1)) == std::vector<std::string>{"sent"});
  CHECK(w.last_code(c(1)) == 250);
  CHECK(w.last_response(c(1)) == "250 2.0.0 Ok: queued as FAKE");
  CHECK(w.one_text("SELECT status FROM mailing WHERE id = ?", m) == "finished");
  CHECK(w.one_int("SELECT count(*) FROM run WHERE finished_at IS NULL") == 0);
}

TEST_CASE("dispatch: a 550 at RCPT bounces the recipient for good, never retried (SPEC §3)") {
  DispatchWorld w;
  auto ids = w.clients(2);
  w.mailing(ids);
  w.server.script(c(1), {Reply::no_such_user});
  SendSummary s = w.due(kT0);
  CHECK(s.bounced == 1);
  CHECK(s.sent == 1);
  CHECK(send_exit_code(s) == 0);
  CHECK(w.state(ids[0]) == "done");
  CHECK(w.tries(ids[0]) == 1);
  CHECK(w.attempts(c(1)) == std::vector<std::string>{"bounced"});
  CHECK(w.last_response(c(1)) == "550 5.1.1 No such user");
  w.due(kT0 + 86400);
  CHECK(w.server.delivered.size() == 2);
}

TEST_CASE(
    "dispatch: a 451 at RCPT defers the recipient, counts a try and waits the first back-off (SPEC §3)") {
  DispatchWorld w;
  auto ids = w.clients(2);
  w.mailing(ids);
  w.server.script(c(2), {Reply::greylisted});
  SendSummary s = w.due(kT0);
  CHECK(s.sent == 1);
  CHECK(s.deferred == 1);
  CHECK(s.unavailable == 0);
  CHECK(send_exit_code(s) == 75);
  CHECK(w.state(ids[1]) == "deferred");
  CHECK(w.tries(ids[1]) == 1);
  CHECK(w.retry_at(ids[1]) == kT0 + policy::retry_delay(1));
  CHECK(w.attempts(c(2)) == std::vector<std::string>{"deferred"});
  CHECK(w.last_code(c(2)) == 451);
  CHECK(w.one_int("SELECT count(*) FROM run WHERE finished_at IS NULL") == 1);
}

TEST_CASE(
    "dispatch: a connection cut after the data defers with no code, as a try (SPEC §3 lost connections)") {
  DispatchWorld w;
  auto ids = w.clients(1);
  w.mailing(ids);
  w.server.script(c(1), {Reply::cut_after_data});
  SendSummary s = w.due(kT0);
  CHECK(s.deferred == 1);
  CHECK(s.unavailable == 0);
  CHECK(w.state(ids[0]) == "deferred");
  CHECK(w.tries(ids[0]) == 1);
  CHECK(w.last_code(c(1)) == std::nullopt);
  CHECK(w.last_response(c(1)).starts_with("connection lost after the message data"));
}

namespace {

// A session refusal of the first recipient, with one connection: logged, no try, the run stops.
void check_session_refused(Reply reply, std::optional<std::int64_t> code) {
  DispatchWorld w;
  auto ids = w.clients(3);
  w.mailing(ids);
  w.server.fallback = reply;
  SendSummary s = w.due(kT0);
  CHECK(w.server.rcpts() == std::vector<std::string>{c(1)});
  CHECK(s.deferred == 1);
  CHECK(s.unavailable == 1);
  CHECK(s.unavailable_reason == w.last_response(c(1)));
  CHECK(send_exit_code(s) == 69);
  CHECK(w.attempts(c(1)) == std::vector<std::string>{"deferred"});
  CHECK(w.last_code(c(1)) == code);
  for (Id id : ids) CHECK(w.tries(id) == 0);
  CHECK(w.retry_at(ids[0]) == kT0);  // due again at once
  CHECK(w.state(ids[1]) == "pending");
  CHECK(w.one_text("SELECT error FROM run").starts_with("the SMTP server refused the session: "));
  CHECK(w.one_int("SELECT paused FROM run") == 0);
  // The server back: everyone is sent at the next tick, none of them with a try used up.
  w.server.fallback = Reply::accepted;
  SendSummary again = w.due(kT0);
  CHECK(again.sent == 3);
  CHECK(w.attempts(c(1)) == std::vector<std::string>{"deferred", "sent"});
  CHECK(w.tries(ids[0]) == 1);
}

}  // namespace

TEST_CASE(
    "dispatch: a 421 greeting refuses the session: no try used, the run stops, recipients stay queued (SPEC "
    "§3)") {
  check_session_refused(Reply::greeting_421, 421);
}

TEST_CASE("dispatch: a 535 to AUTH refuses the session like a 421 (SPEC §3 a refused login)") {
  check_session_refused(Reply::auth_535, 535);
}

TEST_CASE("dispatch: no server listening refuses the session with no code (SPEC §3 no connection)") {
  check_session_refused(Reply::no_connection, std::nullopt);
}

TEST_CASE(
    "dispatch: a 5xx our message caused pauses the run, bounces nobody, and send ID resumes it (SPEC §3)") {
  DispatchWorld w;
  auto ids = w.clients(3);
  Id m = w.mailing(ids);
  w.server.script(c(1), {Reply::line_too_long});
  SendSummary s = w.due(kT0);
  CHECK(w.server.rcpts() == std::vector<std::string>{c(1)});
  CHECK(s.message_refused == 1);
  CHECK(s.data_errors == 1);
  CHECK(s.bounced == 0);
  CHECK(send_exit_code(s) == 65);
  CHECK(w.tries(ids[0]) == 0);
  CHECK(w.state(ids[2]) == "pending");
  CHECK(w.one_int("SELECT paused FROM run") == 1);
  CHECK(w.one_text("SELECT error FROM run")
            .starts_with("the SMTP server refused our message itself: 554 5.6.0"));
  // Paused: cron leaves it alone.
  w.due(kT0 + 3600);
  CHECK(w.server.delivered.size() == 1);
  SendSummary resumed = send_mailing_now(w.db, w.config, w.owner, m, w.request(), kT0 + 3600);
  CHECK(resumed.sent == 3);
  CHECK(w.attempts(c(1)) == std::vector<std::string>{"deferred", "sent"});
  CHECK(w.one_text("SELECT status FROM mailing WHERE id = ?", m) == "finished");
}

TEST_CASE(
    "dispatch: a test copy goes through the injected transport over one connection (SPEC §2 send --to)") {
  DispatchWorld w;
  w.config.smtp.connections = 4;
  auto ids = w.clients(1);
  Id m = w.mailing(ids);
  w.server.script("probe@example.com", {Reply::no_such_user});
  SendSummary s = send_test_copy(w.db, w.config, w.owner, m, "probe@example.com", w.request(), kT0);
  CHECK(w.server.transports_made == std::vector<int>{1});
  CHECK(w.server.rcpts() == std::vector<std::string>{"probe@example.com"});
  CHECK(s.bounced == 1);
  CHECK(w.attempts("probe@example.com") == std::vector<std::string>{"bounced"});
  CHECK(w.one_text("SELECT trigger FROM run") == "test");
  CHECK(w.one_text("SELECT status FROM mailing WHERE id = ?", m) == "created");
}

TEST_CASE("dispatch: an in-memory database commits each result at once (no journal)") {
  DispatchWorld w(false);
  auto ids = w.clients(3);
  w.mailing(ids);
  w.server.script(c(2), {Reply::greylisted});
  SendSummary s = w.due(kT0);
  CHECK(s.sent == 2);
  CHECK(s.deferred == 1);
  CHECK(w.state(ids[1]) == "deferred");
  CHECK(w.attempts(c(3)) == std::vector<std::string>{"sent"});
}
