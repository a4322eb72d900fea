// What a reply means for a recipient (SPEC §3): tested without a server.
#include "mailer/core/delivery_policy.hpp"

#include <doctest/doctest.h>

using namespace mailer::policy;

namespace {

Verdict at(Stage stage, int code, const char* text = "", Failure failure = Failure::none) {
  return judge(ReplyFacts{code, text, stage, failure});
}

}  // namespace

TEST_CASE("policy: a 2xx to the message is sent, a 5xx to RCPT bounces, a 4xx to RCPT defers") {
  CHECK(at(Stage::body, 250, "250 2.0.0 Ok: queued as X") == Verdict::sent);
  CHECK(at(Stage::rcpt, 550, "550 5.1.1 User unknown") == Verdict::bounced);
  CHECK(at(Stage::rcpt, 451, "451 4.7.1 Greylisted") == Verdict::deferred);
  CHECK(at(Stage::rcpt, 452, "452 4.2.2 Mailbox full") == Verdict::deferred);
}

TEST_CASE("policy: refusals of the session never count as the recipient's (issue 7.1)") {
  CHECK(at(Stage::connect, 0, "could not connect", Failure::no_connection) == Verdict::session_refused);
  CHECK(at(Stage::session, 0, "TLS failed", Failure::tls) == Verdict::session_refused);
  CHECK(at(Stage::session, 535, "535 5.7.8 Authentication credentials invalid") == Verdict::session_refused);
  CHECK(at(Stage::session, 554, "554 5.7.1 You are not welcome") == Verdict::session_refused);
  CHECK(at(Stage::mail_from, 451, "451 4.7.1 Too many messages from you") == Verdict::session_refused);
  CHECK(at(Stage::mail_from, 553, "553 5.7.1 Sender address rejected") == Verdict::session_refused);
  CHECK(at(Stage::session, 0, "connection lost", Failure::connection_lost) == Verdict::session_refused);
  // 421 closes the channel whatever it answered.
  CHECK(at(Stage::rcpt, 421, "421 4.7.0 Try again later, closing connection") == Verdict::session_refused);
  CHECK(at(Stage::body, 421, "421 4.3.2 Shutting down") == Verdict::session_refused);
}

TEST_CASE("policy: a 5xx our own message caused is no bounce (issue 8.7)") {
  CHECK(at(Stage::body, 500, "500 Line too long") == Verdict::message_refused);
  CHECK(at(Stage::body, 500, "500 5.5.0 Line too long") == Verdict::message_refused);
  CHECK(at(Stage::body, 552, "552 5.3.4 Message size exceeds fixed limit") == Verdict::message_refused);
  CHECK(at(Stage::body, 554, "554 5.2.3 Message length exceeds administrative limit") ==
        Verdict::message_refused);
  CHECK(at(Stage::body, 554, "554 5.6.0 Message headers invalid") == Verdict::message_refused);
  // ...but the recipient's own refusals after the data stay bounces.
  CHECK(at(Stage::body, 554, "554 5.7.1 Message rejected: content looks like spam") == Verdict::bounced);
  CHECK(at(Stage::body, 550, "550 5.1.1 User unknown") == Verdict::bounced);
  CHECK(at(Stage::body, 552, "552 5.2.2 Mailbox full") == Verdict::bounced);
  CHECK(at(Stage::body, 554, "554 Transaction failed") == Verdict::bounced);
}

TEST_CASE("policy: a transfer cut after RCPT defers, whatever stage it reached") {
  CHECK(at(Stage::rcpt, 0, "timed out", Failure::timeout) == Verdict::deferred);
  CHECK(at(Stage::data, 0, "connection lost", Failure::connection_lost) == Verdict::deferred);
  CHECK(at(Stage::body, 0, "connection lost after the message data", Failure::connection_lost) ==
        Verdict::deferred);
  CHECK(at(Stage::body, 451, "451 4.3.0 Try again") == Verdict::deferred);
}

TEST_CASE("policy: only session and message refusals stop a run") {
  CHECK(stops_run(Verdict::session_refused));
  CHECK(stops_run(Verdict::message_refused));
  CHECK_FALSE(stops_run(Verdict::deferred));
  CHECK_FALSE(stops_run(Verdict::bounced));
  CHECK_FALSE(stops_run(Verdict::sent));
}

TEST_CASE("policy: a deferred recipient fails at max_tries; sent and bounced are final at once") {
  CHECK(after_try(Verdict::deferred, 1, 3) == TryResult::deferred);
  CHECK(after_try(Verdict::deferred, 2, 3) == TryResult::deferred);
  CHECK(after_try(Verdict::deferred, 3, 3) == TryResult::failed);
  CHECK(after_try(Verdict::sent, 3, 3) == TryResult::sent);
  CHECK(after_try(Verdict::bounced, 1, 3) == TryResult::bounced);
  CHECK(retry_delay(1) == 60);
  CHECK(retry_delay(3) == 16 * 60);
  CHECK(retry_delay(10) == 6 * 3600);
}
