// The SMTP sender over several connections: exactly once, connection reuse, batches, pacing,
// AUTH and send_one (against tests/integration/smtpd.py on 127.0.0.1).
#include "smtp_support.hpp"

using namespace smtp_test;
TEST_CASE("smtp: 100 messages over 4 connections with rejects mixed in arrive exactly once") {
  TestServer server;
  std::vector<Envelope> envelopes;
  std::map<std::int64_t, Outcome> expected;
  for (int i = 1; i <= 100; ++i) {
    std::string rcpt;
    if (i % 10 == 3) {
      rcpt = "reject" + std::to_string(i) + "@example.com";
      expected[i] = Outcome::bounced;
    } else if (i % 10 == 7) {
      rcpt = "defer" + std::to_string(i) + "@example.com";
      expected[i] = Outcome::deferred;
    } else if (i % 25 == 0) {
      rcpt = "dropdata" + std::to_string(i) + "@example.com";
      expected[i] = Outcome::deferred;
    } else {
      rcpt = "user" + std::to_string(i) + "@example.com";
      expected[i] = Outcome::sent;
    }
    envelopes.push_back(envelope(i, rcpt));
  }
  const auto r = run(settings_for(server.url(), 4), std::move(envelopes));
  REQUIRE(r.deliveries.size() == 100);
  std::map<std::int64_t, Outcome> got;
  for (const auto& d : r.deliveries) {
    CHECK(got.count(d.id) == 0);
    got[d.id] = d.outcome;
  }
  CHECK(got == expected);

  std::multiset<std::string> arrived;
  for (const auto& m : server.messages()) {
    const auto to = m.find("Delivered-To: ");
    arrived.insert(m.substr(to + 14, m.find("\r\n", to) - to - 14));
  }
  std::multiset<std::string> wanted;
  for (const auto& [id, outcome] : expected)
    if (outcome == Outcome::sent) wanted.insert("user" + std::to_string(id) + "@example.com");
  CHECK(arrived == wanted);
}

TEST_CASE("smtp: 1000 messages over 4 connections open only those 4 connections") {
  TestServer server;
  std::vector<Envelope> envelopes;
  for (int i = 1; i <= 1000; ++i) envelopes.push_back(envelope(i, "u" + std::to_string(i) + "@example.com"));
  const auto r = run(settings_for(server.url(), 4), std::move(envelopes));
  REQUIRE(r.deliveries.size() == 1000);
  int sent = 0;
  for (const auto& d : r.deliveries) sent += d.outcome == Outcome::sent;
  CHECK(sent == 1000);
  CHECK(server.messages().size() == 1000);
  CHECK(server.connections() == 4);
}

TEST_CASE("smtp: connections stay open from one run() to the next") {
  TestServer server;
  SmtpSender sender(settings_for(server.url(), 1));
  CHECK(run(sender, {envelope(1, "a@example.com")}).deliveries.at(0).outcome == Outcome::sent);
  CHECK(run(sender, {envelope(2, "b@example.com")}).deliveries.at(0).outcome == Outcome::sent);
  CHECK(server.connections() == 1);
}

TEST_CASE("smtp: done() gets each batch before the freed connections get new envelopes") {
  TestServer server;
  std::vector<Envelope> envelopes;
  for (int i = 1; i <= 60; ++i) envelopes.push_back(envelope(i, "u" + std::to_string(i) + "@example.com"));
  const auto r = run(settings_for(server.url(), 3), std::move(envelopes));
  REQUIRE(r.deliveries.size() == 60);
  // When next() runs, every envelope but those on the other busy connections was reported.
  CHECK(r.max_in_flight_at_next <= 2);
  std::size_t total = 0;
  for (auto n : r.batch_sizes) {
    CHECK(n >= 1);
    CHECK(n <= 3);
    total += n;
  }
  CHECK(total == 60);
}

TEST_CASE("smtp: rate_per_second paces the start of messages") {
  TestServer server;
  SmtpSettings s = settings_for(server.url(), 4);
  s.rate_per_second = 20;
  std::vector<Envelope> envelopes;
  for (int i = 1; i <= 21; ++i) envelopes.push_back(envelope(i, "u" + std::to_string(i) + "@example.com"));
  const auto start = Clock::now();
  const auto r = run(s, std::move(envelopes));
  // 21 starts 50 ms apart: at least 1 s (no upper bound: the machine may be slow).
  CHECK(seconds_since(start) >= 0.95);
  CHECK(r.deliveries.size() == 21);
}

TEST_CASE("smtp: AUTH with the right password sends and a wrong one defers with 535") {
  TestServer server({"--auth", "shop:s3cret-pw"});
  SmtpSettings s = settings_for(server.url());
  s.username = "shop";
  s.password = "s3cret-pw";
  s.tls =
      mailer::TlsMode::none;  // a login in clear is an explicit choice (issue 8 §5); the server has no TLS
  CHECK(send_1(s, "ann@example.com").outcome == Outcome::sent);

  s.password = "wrong-pw";
  const Delivery d = send_1(s, "ann@example.com");
  CHECK(d.outcome == Outcome::deferred);  // our credentials, not the recipient's fault
  CHECK(d.smtp_code == 535);
  CHECK(d.response == "535 5.7.8 Authentication credentials invalid");
  CHECK(d.response.find("wrong-pw") == std::string::npos);

  s.username.clear();
  const Delivery anonymous = send_1(s, "ann@example.com");
  CHECK(anonymous.outcome == Outcome::deferred);
  CHECK(anonymous.smtp_code == 530);
  CHECK(server.messages().size() == 1);
}

TEST_CASE("smtp: send_one sends or throws unavailable with the server's reply") {
  TestServer server;
  const SmtpSettings s = settings_for(server.url());
  CHECK_NOTHROW(mailer::mail::send_one(s, envelope(1, "ann@example.com")));
  CHECK(server.messages().size() == 1);
  try {
    mailer::mail::send_one(s, envelope(2, "rejectme@example.com"));
    FAIL("send_one did not throw");
  } catch (const mailer::Error& e) {
    CHECK(e.code() == mailer::Errc::unavailable);
    CHECK(std::string(e.what()) ==
          "SMTP server " + server.url() +
              ": 550 5.1.1 <rejectme@example.com>: Recipient address rejected: User unknown in "
              "local recipient table");
  }
}

TEST_CASE("smtp: a URL that is not smtp:// or smtps:// is a configuration error") {
  SmtpSettings s = settings_for("http://user:pw@127.0.0.1:1");
  try {
    mailer::mail::send_one(s, envelope(1, "ann@example.com"));
    FAIL("send_one did not throw");
  } catch (const mailer::Error& e) {
    CHECK(e.code() == mailer::Errc::config);
    CHECK(std::string(e.what()).find("pw") == std::string::npos);
  }
}

TEST_CASE("smtp: a recipient with CR or LF or angle brackets never reaches the wire") {
  TestServer server;
  const auto r = run(settings_for(server.url()), {envelope(1, "a@example.com>\r\nRCPT TO:<b@example.com"),
                                                  envelope(2, "ann@example.com")});
  REQUIRE(r.deliveries.size() == 2);
  CHECK(r.deliveries[0].outcome == Outcome::bounced);
  CHECK(r.deliveries[0].smtp_code == 0);
  CHECK(r.deliveries[1].outcome == Outcome::sent);
  REQUIRE(server.messages().size() == 1);
  CHECK(server.messages()[0].find("Delivered-To: ann@example.com\r\n") != std::string::npos);
}

TEST_CASE("smtp: smtps:// speaks TLS from the first byte (a plain server fails the handshake)") {
  TestServer server;
  const Delivery d =
      send_1(settings_for("smtps://127.0.0.1:" + std::to_string(server.port())), "ann@example.com");
  CHECK(d.outcome == Outcome::deferred);
  CHECK(d.smtp_code == 0);
  CHECK(d.response.rfind("TLS failed", 0) == 0);
  CHECK(server.messages().empty());
}
