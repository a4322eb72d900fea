// The SMTP sender under a connection gate (a fleet's smtp.connections, issue 13): connections
// open only while admitted, one given back starts anew, and a gate that admits none ends the
// run (against tests/integration/smtpd.py on 127.0.0.1).
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>

#include "smtp_support.hpp"

using namespace smtp_test;

namespace {

// Admits `slots` connections at a time, or with 0 slots none at all (as a fleet's gate that gave
// up waiting); asks a connection to leave after every `turn` of its messages (0: never).
class ScriptedGate final : public mailer::mail::ConnectionGate {
 public:
  ScriptedGate(int slots, int turn, std::atomic<int>& most_admitted)
      : slots_(slots), turn_(turn), most_(most_admitted) {}

  bool enter(int, const std::function<bool()>& stop) override {
    std::unique_lock lock(mutex_);
    for (;;) {
      if (slots_ == 0 || stop()) return false;
      if (admitted_ < slots_) {
        ++admitted_;
        most_ = std::max(most_.load(), admitted_);
        return true;
      }
      freed_.wait_for(lock, std::chrono::milliseconds(20));
    }
  }
  bool should_leave(int index) override {
    std::lock_guard lock(mutex_);
    return turn_ > 0 && ++messages_[index] % turn_ == 0;
  }
  void left(int) override {
    std::lock_guard lock(mutex_);
    --admitted_;
    freed_.notify_all();
  }

 private:
  const int slots_;
  const int turn_;
  std::atomic<int>& most_;
  std::mutex mutex_;
  std::condition_variable freed_;
  int admitted_ = 0;
  std::map<int, int> messages_;
};

std::vector<Envelope> numbered(int n) {
  std::vector<Envelope> envelopes;
  for (int i = 1; i <= n; ++i) envelopes.push_back(envelope(i, "u" + std::to_string(i) + "@example.com"));
  return envelopes;
}

int sent(const RunResult& r) {
  int n = 0;
  for (const auto& d : r.deliveries) n += d.outcome == Outcome::sent;
  return n;
}

}  // namespace

TEST_CASE("smtp gate: 4 connections under a gate of 2 slots send everything over those 2") {
  TestServer server;
  std::atomic<int> most{0};
  SmtpSender sender(settings_for(server.url(), 4));
  sender.share_connections(std::make_unique<ScriptedGate>(2, 0, most));
  const auto r = run(sender, numbered(200));
  CHECK(sent(r) == 200);
  CHECK(server.messages().size() == 200);
  CHECK(most == 2);
  CHECK(server.connections() == 2);
}

TEST_CASE("smtp gate: a connection that gives its slot back starts anew when admitted again") {
  TestServer server;
  std::atomic<int> most{0};
  SmtpSender sender(settings_for(server.url(), 1));
  sender.share_connections(std::make_unique<ScriptedGate>(1, 5, most));
  const auto r = run(sender, numbered(20));
  CHECK(sent(r) == 20);
  CHECK(server.messages().size() == 20);
  // Left after messages 5, 10 and 15 (the check comes before each next message).
  CHECK(server.connections() == 4);
}

TEST_CASE("smtp gate: a gate that admits no connection ends the run before any envelope is taken") {
  TestServer server;
  std::atomic<int> most{0};
  SmtpSender sender(settings_for(server.url(), 2));
  sender.share_connections(std::make_unique<ScriptedGate>(0, 0, most));
  int asked = 0;
  sender.run(
      [&]() -> std::optional<Envelope> {
        ++asked;
        return std::nullopt;
      },
      [&](std::span<const Delivery>) {});
  CHECK(asked == 0);
  CHECK(server.connections() == 0);
}
