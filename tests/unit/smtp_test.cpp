// SmtpSender and send_one against a real SMTP server on 127.0.0.1: tests/integration/smtpd.py
// run by Debian's /usr/bin/python3 (package python3-aiosmtpd). Its recipients script the
// failures: reject* 550 at RCPT, defer* 451, rejectdata* 554 after the data, dropdata* cuts the
// connection, slow* answers the data late (SPEC §3: 2xx sent, 5xx bounced, 4xx/timeout/lost
// connection deferred, reply text verbatim).
#include "mailer/mail/smtp_sender.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "mailer/base/error.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using mailer::mail::Delivery;
using mailer::mail::Envelope;
using mailer::mail::Outcome;
using mailer::mail::SmtpSender;
using mailer::mail::SmtpSettings;
using Clock = std::chrono::steady_clock;

fs::path source_dir() {
  if (const char* dir = std::getenv("MAILER_SOURCE_DIR"); dir && *dir) return dir;
  return fs::path(__FILE__).parent_path().parent_path().parent_path();
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// smtpd.py on a free port in a temp dir, stopped (SIGTERM) and removed at scope exit.
class TestServer {
 public:
  explicit TestServer(std::vector<std::string> extra = {}) {
    std::string tmpl = (fs::temp_directory_path() / "smtp_test-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    const fs::path script = source_dir() / "tests/integration/smtpd.py";
    if (!fs::exists(script)) throw std::runtime_error("no " + script.string() + " (set MAILER_SOURCE_DIR)");
    std::vector<std::string> args = {"/usr/bin/python3", script.string(), "--port=0"};
    args.push_back("--maildir=" + (dir_ / "maildir").string());
    args.push_back("--port-file=" + (dir_ / "port").string());
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string out = (dir_ / "smtpd.out").string();
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    const int err = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (err != 0) throw std::runtime_error("cannot start /usr/bin/python3");

    const auto deadline = Clock::now() + std::chrono::seconds(15);
    while (Clock::now() < deadline) {
      if (fs::exists(dir_ / "port")) {
        port_ = std::stoi(slurp(dir_ / "port"));
        return;
      }
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    const std::string output = slurp(dir_ / "smtpd.out");
    stop();
    throw std::runtime_error("smtpd.py did not start (needs python3-aiosmtpd): " + output);
  }

  ~TestServer() { stop(); }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  int port() const { return port_; }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

  // The stored copies (Return-Path and Delivered-To prepended by the server).
  std::vector<std::string> messages() const {
    std::vector<std::string> result;
    const fs::path dir = dir_ / "maildir" / "new";
    if (!fs::exists(dir)) return result;
    for (const auto& entry : fs::directory_iterator(dir)) result.push_back(slurp(entry.path()));
    return result;
  }

  int connections() const {
    const std::string log = slurp(dir_ / "log.jsonl");
    int n = 0;
    for (std::size_t at = 0; (at = log.find("\"event\": \"connect\"", at)) != std::string::npos; ++at) ++n;
    return n;
  }

 private:
  void stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      const auto deadline = Clock::now() + std::chrono::seconds(10);
      while (waitpid(pid_, &status, WNOHANG) == 0) {
        if (Clock::now() > deadline) {
          kill(pid_, SIGKILL);
          waitpid(pid_, &status, 0);
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      pid_ = -1;
    }
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  fs::path dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// A port on 127.0.0.1 where nothing listens (bound by the kernel, then released).
int unused_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  const bool ok = fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  if (fd >= 0) close(fd);
  REQUIRE(ok);
  return ntohs(addr.sin_port);
}

SmtpSettings settings_for(const std::string& url, int connections = 1) {
  SmtpSettings s;
  s.url = url;
  s.mail_from = "news@example.com";
  s.connections = connections;
  s.timeout_s = 10;
  return s;
}

std::string message_for(std::int64_t id, const std::string& rcpt) {
  return "From: Shop <news@example.com>\r\nTo: " + rcpt + "\r\nSubject: test " + std::to_string(id) +
         "\r\nMessage-ID: <" + std::to_string(id) + "@example.com>\r\n\r\nHello " + rcpt +
         "\r\n.a line that starts with a dot\r\n";
}

Envelope envelope(std::int64_t id, const std::string& rcpt) {
  return Envelope{id, rcpt, message_for(id, rcpt)};
}

struct RunResult {
  std::vector<Delivery> deliveries;
  std::vector<std::size_t> batch_sizes;
  std::size_t max_in_flight_at_next = 0;  // envelopes handed out but not yet reported
};

RunResult run(SmtpSender& sender, std::vector<Envelope> envelopes) {
  RunResult r;
  std::size_t given = 0;
  sender.run(
      [&]() -> std::optional<Envelope> {
        r.max_in_flight_at_next = std::max(r.max_in_flight_at_next, given - r.deliveries.size());
        if (given == envelopes.size()) return std::nullopt;
        return std::move(envelopes[given++]);
      },
      [&](std::span<const Delivery> batch) {
        r.batch_sizes.push_back(batch.size());
        r.deliveries.insert(r.deliveries.end(), batch.begin(), batch.end());
      });
  return r;
}

RunResult run(const SmtpSettings& settings, std::vector<Envelope> envelopes) {
  SmtpSender sender(settings);
  return run(sender, std::move(envelopes));
}

Delivery send_1(const SmtpSettings& settings, const std::string& rcpt) {
  auto r = run(settings, {envelope(1, rcpt)});
  REQUIRE(r.deliveries.size() == 1);
  return r.deliveries[0];
}

}  // namespace

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
