// SMTP delivery over N connections.
//
// One easy handle per connection, each driven by a thread of its own with curl_easy_perform();
// the caller's thread only hands out envelopes and collects results. Not one multi handle for
// all connections: libcurl 7.88 (Debian 12) waits for the reply to the end of DATA inside
// smtp_done() with a blocking poll, which stalls every other transfer of the same multi handle.
// Measured here with a server that answers "." after 1 s: 8 messages over 4 connections take
// 8 s through one multi handle and 2 s with a thread per connection. Real servers are slowest
// exactly there (queue fsync, content filters), so a shared multi handle would make
// smtp.connections nearly useless.
#include "mailer/mail/smtp_sender.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "mailer/base/error.hpp"
#include "mailer/core/url.hpp"
#include "mailer/mail/compose.hpp"
#include "smtp_connection.hpp"

namespace mailer::mail {

namespace {
using Clock = std::chrono::steady_clock;
}  // namespace

struct SmtpSender::Impl {
  explicit Impl(SmtpSettings s) : settings(std::move(s)) {}

  ~Impl() { close_all(); }

  // QUIT on every connection at once rather than one after another.
  void close_all() noexcept {
    std::vector<std::thread> closers;
    for (auto& c : connections) {
      try {
        closers.emplace_back([conn = c.get()] {
          const SigpipeBlock no_sigpipe;
          conn->close();
        });
      } catch (...) {
        c->close();
      }
    }
    for (auto& t : closers) t.join();
    connections.clear();
  }

  void open() {
    if (!connections.empty()) return;
    prepare_smtp(settings);
    const int n = std::max(1, settings.connections);
    for (int i = 0; i < n; ++i) connections.push_back(std::make_unique<SmtpConnection>(settings));
    in_slot.assign(connections.size(), false);
  }

  bool stopping() {
    std::lock_guard lock(mutex);
    return failure || exhausted;
  }

  void fail(std::exception_ptr e) {
    std::lock_guard lock(mutex);
    if (!failure) failure = std::move(e);
  }

  // With a gate, connection `index` is open only while admitted: it waits for its turn, and
  // closes (QUIT) before its slot goes to another host.
  bool admitted(std::size_t index) {
    if (!gate) return true;
    const int i = static_cast<int>(index);
    try {
      if (in_slot[index] && gate->should_leave(i)) {
        // A closed handle is gone: the connection starts anew when admitted again.
        connections[index] = std::make_unique<SmtpConnection>(settings);  // QUIT to the old one
        in_slot[index] = false;
        gate->left(i);
      }
      if (!in_slot[index]) in_slot[index] = gate->enter(i, [this] { return stopping(); });
      return in_slot[index];
    } catch (...) {
      fail(std::current_exception());
      return false;
    }
  }

  // One connection's loop. `next` and `done` are called under `mutex`, so they never run
  // concurrently; a connection records its result through `done` before it asks for the next
  // envelope, and no thread waits for another to hand it work.
  void drive(std::size_t index, const NextEnvelope& next, const DeliveriesDone& done) {
    const SigpipeBlock no_sigpipe;
    Envelope envelope;
    for (;;) {
      if (!admitted(index)) return;
      SmtpConnection& conn = *connections[index];  // each thread touches its own
      Clock::time_point slot{};
      {
        std::lock_guard lock(mutex);
        if (failure || exhausted) return;
        try {
          std::optional<Envelope> e = next();
          if (!e) {
            exhausted = true;
            return;
          }
          envelope = std::move(*e);
        } catch (...) {
          failure = std::current_exception();
          return;
        }
        if (interval != Clock::duration::zero()) {
          // From when it really starts: a stall is not made up for with a burst.
          slot = std::max(next_slot, Clock::now());
          next_slot = slot + interval;
        }
      }
      if (slot != Clock::time_point{}) std::this_thread::sleep_until(slot);
      Delivery delivery = conn.deliver(envelope);
      std::uint64_t mine;
      {
        std::lock_guard lock(pending_mutex);
        pending.push_back(std::move(delivery));
        mine = ++pushed;
      }
      // Group commit: whoever gets `mutex` first reports every delivery finished so far, so
      // the connections that finished while it waited find theirs already done.
      std::lock_guard lock(mutex);
      if (failure) return;
      if (reported >= mine) continue;
      std::uint64_t upto;
      {
        std::lock_guard lock_pending(pending_mutex);
        batch.swap(pending);
        upto = pushed;
      }
      try {
        done(std::span<const Delivery>(batch));
      } catch (...) {
        failure = std::current_exception();
        return;
      }
      batch.clear();
      reported = upto;
    }
  }

  SmtpSettings settings;
  std::unique_ptr<ConnectionGate> gate;  // declared first: it outlives the connections' QUIT
  std::vector<std::unique_ptr<SmtpConnection>> connections;
  std::vector<char> in_slot;  // by connection: admitted by the gate; each thread touches its own
  std::mutex mutex;
  std::mutex pending_mutex;       // taken alone or inside `mutex`, never the other way round
  std::vector<Delivery> pending;  // guarded by pending_mutex: finished, not yet reported
  std::uint64_t pushed = 0;       // guarded by pending_mutex: deliveries finished so far
  std::uint64_t reported = 0;     // guarded by mutex: deliveries given to `done` so far
  std::vector<Delivery> batch;    // guarded by mutex
  std::exception_ptr failure;     // guarded by mutex: the first exception of a callback
  bool exhausted = false;         // guarded by mutex
  Clock::duration interval{};
  Clock::time_point next_slot{};  // guarded by mutex
};

SmtpSender::SmtpSender(SmtpSettings settings) : impl_(std::make_unique<Impl>(std::move(settings))) {}

SmtpSender::~SmtpSender() = default;

void SmtpSender::run(const NextEnvelope& next, const DeliveriesDone& done) {
  Impl& im = *impl_;
  im.open();
  const double rate = im.settings.rate_per_second;
  im.interval = rate > 0
                    ? std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / rate))
                    : Clock::duration::zero();
  im.next_slot = Clock::now();
  im.exhausted = false;
  im.failure = nullptr;
  im.pending.clear();
  im.pushed = im.reported = 0;
  std::vector<std::thread> threads;
  threads.reserve(im.connections.size());
  try {
    for (std::size_t i = 0; i < im.connections.size(); ++i)
      threads.emplace_back([&im, i, &next, &done] { im.drive(i, next, done); });
  } catch (...) {
    {
      std::lock_guard lock(im.mutex);
      if (!im.failure) im.failure = std::current_exception();
    }
  }
  for (auto& t : threads) t.join();
  if (im.failure) std::rethrow_exception(im.failure);
}

void SmtpSender::share_connections(std::unique_ptr<ConnectionGate> gate) { impl_->gate = std::move(gate); }

SmtpSettings smtp_settings(const Config& config) {
  SmtpSettings s;
  s.url = config.smtp.url;
  s.tls = config.smtp.tls;
  s.username = config.smtp.username;
  s.password = smtp_password(config);
  s.mail_from = envelope_address(address_of(config.smtp.from));
  s.connections = config.smtp.connections;
  s.rate_per_second = config.smtp.rate_per_second;
  s.timeout_s = config.smtp.timeout_s;
  s.ca_file = config.smtp.ca_file;
  return s;
}

std::unique_ptr<Transport> make_transport(const TransportFactory& factory, const SmtpSettings& settings) {
  if (factory) return factory(settings);
  return std::make_unique<SmtpSender>(settings);
}

void send_one(const SmtpSettings& settings, const Envelope& envelope) {
  prepare_smtp(settings);
  Delivery d;
  {
    const SigpipeBlock no_sigpipe;  // around the QUIT of ~SmtpConnection too
    SmtpConnection conn(settings);
    d = conn.deliver(envelope);
  }
  if (d.outcome != Outcome::sent)
    throw Error(Errc::unavailable, "SMTP server " + redact_url(settings.url) + ": " + d.response);
}

}  // namespace mailer::mail
