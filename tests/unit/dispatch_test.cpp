// `mailer send`: exit status and retry back-off (SPEC §3, §6). The sending itself is tested end
// to end in tests/integration/test_send*.py.
#include <doctest/doctest.h>

#include "mailer/mail/dispatch.hpp"

using namespace mailer;

TEST_CASE("send: exit 69 only when the server refused or was unreachable for everything tried") {
  SendSummary s;
  CHECK(send_exit_code(s) == 0);  // nothing to do
  s.deferred = 2;
  s.unavailable = 2;
  CHECK(send_exit_code(s) == 69);
  s.failed = 1;  // a last try also refused by the server
  s.unavailable = 3;
  CHECK(send_exit_code(s) == 69);
  s.sent = 1;  // the server took one: it was there
  CHECK(send_exit_code(s) == 75);
}

TEST_CASE("send: exit 75 when some recipient was deferred by the server itself") {
  SendSummary s;
  s.sent = 3;
  s.deferred = 1;  // a 451 to RCPT
  CHECK(send_exit_code(s) == 75);
  s = SendSummary{};
  s.deferred = 2;
  s.unavailable = 1;  // one refused session, one greylisted recipient
  CHECK(send_exit_code(s) == 75);
}

TEST_CASE("send: bounces and given-up recipients are results, not errors") {
  SendSummary s;
  s.sent = 1;
  s.bounced = 2;
  s.failed = 1;
  CHECK(send_exit_code(s) == 0);
}

TEST_CASE("send: the back-off grows 1, 4, 16, 64 minutes and stops growing at 6 hours") {
  CHECK(retry_delay(1) == 60);
  CHECK(retry_delay(2) == 4 * 60);
  CHECK(retry_delay(3) == 16 * 60);
  CHECK(retry_delay(4) == 64 * 60);
  CHECK(retry_delay(5) == 256 * 60);
  CHECK(retry_delay(6) == 6 * 3600);
  CHECK(retry_delay(40) == 6 * 3600);
}
