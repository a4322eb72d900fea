// SmtpSender and send_one against a real SMTP server on 127.0.0.1: tests/integration/smtpd.py
// run by Debian's /usr/bin/python3 (package python3-aiosmtpd). Its recipients script the
// failures: reject* 550 at RCPT, defer* 451, rejectdata* 554 after the data, dropdata* cuts the
// connection, slow* answers the data late (SPEC §3: 2xx sent, 5xx bounced, 4xx/timeout/lost
// connection deferred, reply text verbatim).
#include "smtp_support.hpp"

using namespace smtp_test;

TEST_CASE("smtp: accepted messages arrive intact and each gets the server's 250 reply") {
  TestServer server;
  const auto r =
      run(settings_for(server.url(), 2),
          {envelope(1, "ann@example.com"), envelope(2, "bob@example.org"), envelope(3, "cy@example.net")});
  REQUIRE(r.deliveries.size() == 3);
  std::set<std::int64_t> ids;
  for (const auto& d : r.deliveries) {
    ids.insert(d.id);
    CHECK(d.outcome == Outcome::sent);
    CHECK(d.smtp_code == 250);
    CHECK(d.response.rfind("250 2.0.0 Ok: queued as T", 0) == 0);
    CHECK(d.connected);
  }
  CHECK(ids == std::set<std::int64_t>{1, 2, 3});

  const auto messages = server.messages();
  REQUIRE(messages.size() == 3);
  std::set<std::string> seen;
  for (const auto& m : messages) {
    const auto to = m.find("Delivered-To: ");
    REQUIRE(to != std::string::npos);
    const auto end = m.find("\r\n", to);
    const std::string rcpt = m.substr(to + 14, end - to - 14);
    seen.insert(rcpt);
    const std::int64_t id = rcpt == "ann@example.com" ? 1 : rcpt == "bob@example.org" ? 2 : 3;
    // Byte for byte, dot-stuffing undone by the server: the body's ".a line" survives.
    CHECK(m.substr(end + 2) == message_for(id, rcpt));
  }
  CHECK(seen == std::set<std::string>{"ann@example.com", "bob@example.org", "cy@example.net"});
}

TEST_CASE("smtp: a 550 at RCPT bounces the recipient with the server's exact text") {
  TestServer server;
  const Delivery d = send_1(settings_for(server.url()), "rejectme@example.com");
  CHECK(d.outcome == Outcome::bounced);
  CHECK(d.smtp_code == 550);
  CHECK(d.response ==
        "550 5.1.1 <rejectme@example.com>: Recipient address rejected: User unknown in local "
        "recipient table");
  CHECK(d.connected);
  CHECK(server.messages().empty());
}

TEST_CASE("smtp: every line of a multiline reply is kept") {
  TestServer server;
  const Delivery d = send_1(settings_for(server.url()), "multireject@example.com");
  CHECK(d.outcome == Outcome::bounced);
  CHECK(d.smtp_code == 550);
  CHECK(d.response ==
        "550-5.1.1 <multireject@example.com>: Recipient address rejected:\n"
        "550 5.1.1 User unknown in virtual mailbox table");
}

TEST_CASE("smtp: a 451 at RCPT defers the recipient") {
  TestServer server;
  const Delivery d = send_1(settings_for(server.url()), "deferme@example.com");
  CHECK(d.outcome == Outcome::deferred);
  CHECK(d.smtp_code == 451);
  CHECK(d.response == "451 4.7.1 Greylisted, try again later");
  CHECK(d.connected);
}

TEST_CASE("smtp: a 554 after the message data bounces with that reply") {
  TestServer server;
  const auto r = run(settings_for(server.url()),
                     {envelope(1, "rejectdata@example.com"), envelope(2, "ann@example.com")});
  REQUIRE(r.deliveries.size() == 2);
  const Delivery& d = r.deliveries[0];
  CHECK(d.outcome == Outcome::bounced);
  CHECK(d.smtp_code == 554);
  CHECK(d.response == "554 5.7.1 Message rejected: content looks like spam");
  // The conversation is still in step after that reply: the connection goes on.
  CHECK(r.deliveries[1].outcome == Outcome::sent);
  CHECK(server.connections() == 1);
}

TEST_CASE("smtp: a connection cut after the data defers with code 0 and the next message goes on") {
  TestServer server;
  const auto r =
      run(settings_for(server.url()), {envelope(1, "dropdata@example.com"), envelope(2, "ann@example.com")});
  REQUIRE(r.deliveries.size() == 2);
  const Delivery& d = r.deliveries[0];
  CHECK(d.id == 1);
  CHECK(d.outcome == Outcome::deferred);
  CHECK(d.smtp_code == 0);
  CHECK(d.connected);
  CHECK(d.response.find("connection lost after the message data") != std::string::npos);
  CHECK(r.deliveries[1].outcome == Outcome::sent);
  CHECK(server.messages().size() == 1);
}

TEST_CASE("smtp: a server that is not listening defers every recipient as never connected") {
  const std::string url = "smtp://127.0.0.1:" + std::to_string(unused_port());
  const auto r = run(settings_for(url, 2), {envelope(1, "a@example.com"), envelope(2, "b@example.com"),
                                            envelope(3, "c@example.com")});
  REQUIRE(r.deliveries.size() == 3);
  for (const auto& d : r.deliveries) {
    CHECK(d.outcome == Outcome::deferred);
    CHECK(d.smtp_code == 0);
    CHECK_FALSE(d.connected);
    CHECK(d.response.rfind("could not connect", 0) == 0);
  }
}

TEST_CASE("smtp: a 421 greeting defers with its text and the next message reconnects") {
  TestServer server({"--fail-first", "1"});
  const auto r =
      run(settings_for(server.url()), {envelope(1, "a@example.com"), envelope(2, "b@example.com")});
  REQUIRE(r.deliveries.size() == 2);
  CHECK(r.deliveries[0].outcome == Outcome::deferred);
  CHECK(r.deliveries[0].smtp_code == 421);
  CHECK(r.deliveries[0].response == "421 4.3.2 Service not available, closing transmission channel");
  CHECK(r.deliveries[1].outcome == Outcome::sent);
  CHECK(server.connections() == 2);
}

TEST_CASE("smtp: a reply slower than timeout_s defers with code 0") {
  TestServer server({"--slow-seconds", "5"});
  SmtpSettings s = settings_for(server.url());
  s.timeout_s = 1;
  const auto start = Clock::now();
  const Delivery d = send_1(s, "slow@example.com");
  CHECK(seconds_since(start) < 4);
  CHECK(d.outcome == Outcome::deferred);
  CHECK(d.smtp_code == 0);
  CHECK(d.response.rfind("timed out after the message data", 0) == 0);
}

TEST_CASE("smtp: after a timeout a late reply is never taken for the next message's") {
  // libcurl 7.88 would reuse the timed-out connection: the late "250 queued" would answer the
  // next MAIL FROM, MAIL's reply the RCPT, RCPT's "250" the DATA, and ann would be deferred.
  TestServer server({"--slow-seconds", "1.5"});
  SmtpSettings s = settings_for(server.url());
  s.timeout_s = 1;
  const auto r = run(s, {envelope(1, "slow@example.com"), envelope(2, "ann@example.com"),
                         envelope(3, "rejectme@example.com"), envelope(4, "bob@example.com")});
  REQUIRE(r.deliveries.size() == 4);
  CHECK(r.deliveries[0].outcome == Outcome::deferred);
  CHECK(r.deliveries[0].smtp_code == 0);
  CHECK(r.deliveries[1].outcome == Outcome::sent);
  CHECK(r.deliveries[1].response.rfind("250 2.0.0 Ok: queued as", 0) == 0);
  CHECK(r.deliveries[2].outcome == Outcome::bounced);
  CHECK(r.deliveries[2].response ==
        "550 5.1.1 <rejectme@example.com>: Recipient address rejected: User unknown in local "
        "recipient table");
  CHECK(r.deliveries[3].outcome == Outcome::sent);
}

TEST_CASE("smtp: slow final replies on separate connections are awaited in parallel") {
  // libcurl 7.88 waits for the reply to the message data with a blocking poll; through one
  // multi handle 4 slow messages would take 4 x 1 s here.
  TestServer server({"--slow-seconds", "1"});
  const auto start = Clock::now();
  const auto r = run(settings_for(server.url(), 4),
                     {envelope(1, "slow1@example.com"), envelope(2, "slow2@example.com"),
                      envelope(3, "slow3@example.com"), envelope(4, "slow4@example.com")});
  const double elapsed = seconds_since(start);
  REQUIRE(r.deliveries.size() == 4);
  for (const auto& d : r.deliveries) CHECK(d.outcome == Outcome::sent);
  CHECK(elapsed >= 0.9);
  CHECK(elapsed < 3.0);
}
