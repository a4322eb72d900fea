#pragma once
// The SMTP tests' server (tests/integration/smtpd.py, started on 127.0.0.1) and helpers.
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

namespace smtp_test {

namespace fs = std::filesystem;
using mailer::mail::Delivery;
using mailer::mail::Envelope;
using mailer::mail::Outcome;
using mailer::mail::SmtpSender;
using mailer::mail::SmtpSettings;
using Clock = std::chrono::steady_clock;

inline fs::path source_dir() {
  if (const char* dir = std::getenv("MAILER_SOURCE_DIR"); dir && *dir) return dir;
  return fs::path(__FILE__).parent_path().parent_path().parent_path();
}

inline std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline double seconds_since(Clock::time_point start) {
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
inline int unused_port() {
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

inline SmtpSettings settings_for(const std::string& url, int connections = 1) {
  SmtpSettings s;
  s.url = url;
  s.mail_from = "news@example.com";
  s.connections = connections;
  s.timeout_s = 10;
  return s;
}

inline std::string message_for(std::int64_t id, const std::string& rcpt) {
  return "From: Shop <news@example.com>\r\nTo: " + rcpt + "\r\nSubject: test " + std::to_string(id) +
         "\r\nMessage-ID: <" + std::to_string(id) + "@example.com>\r\n\r\nHello " + rcpt +
         "\r\n.a line that starts with a dot\r\n";
}

inline Envelope envelope(std::int64_t id, const std::string& rcpt) {
  return Envelope{id, rcpt, message_for(id, rcpt), {}};
}

struct RunResult {
  std::vector<Delivery> deliveries;
  std::vector<std::size_t> batch_sizes;
  std::size_t max_in_flight_at_next = 0;  // envelopes handed out but not yet reported
};

inline RunResult run(SmtpSender& sender, std::vector<Envelope> envelopes) {
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

inline RunResult run(const SmtpSettings& settings, std::vector<Envelope> envelopes) {
  SmtpSender sender(settings);
  return run(sender, std::move(envelopes));
}

inline Delivery send_1(const SmtpSettings& settings, const std::string& rcpt) {
  auto r = run(settings, {envelope(1, rcpt)});
  REQUIRE(r.deliveries.size() == 1);
  return r.deliveries[0];
}

}  // namespace smtp_test
