// SMTP delivery through libcurl's SMTP protocol handler.
//
// One easy handle per connection, each driven by a thread of its own with curl_easy_perform();
// the caller's thread only hands out envelopes and collects results. Not one multi handle for
// all connections: libcurl 7.88 (Debian 12) waits for the reply to the end of DATA inside
// smtp_done() with a blocking poll, which stalls every other transfer of the same multi handle.
// Measured here with a server that answers "." after 1 s: 8 messages over 4 connections take
// 8 s through one multi handle and 2 s with a thread per connection. Real servers are slowest
// exactly there (queue fsync, content filters), so a shared multi handle would make
// smtp.connections nearly useless.
//
// libcurl keeps each handle's connection between transfers (same URL, same handle), so a
// connection carries MAIL/RCPT/DATA for many messages; after a rejected RCPT 7.88 closes it
// and the next transfer reconnects by itself.
//
// libcurl 7.88 does not expose the server's reply text, so the debug callback follows the
// commands sent (CURLINFO_HEADER_OUT) and the reply lines received (CURLINFO_HEADER_IN), and
// keeps the last reply with the command it answered.
#include "mailer/mail/smtp.hpp"

#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <chrono>
#include <exception>
#include <cstring>
#include <mutex>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "curl_api.hpp"
#include "mailer/mail/compose.hpp"
#include "mailer/core/config.hpp"
#include "mailer/base/error.hpp"
#include "mailer/core/url.hpp"

namespace mailer::mail {
namespace {

using Clock = std::chrono::steady_clock;

void global_init() { curl_api(); }

// Keeps SIGPIPE from a write to a closed connection (TLS writes may not use MSG_NOSIGNAL)
// away from this thread while it lives: the write fails with EPIPE instead of killing the
// process, and a SIGPIPE raised meanwhile is consumed. Thread-directed, so it leaves the
// process's disposition alone (a CLI still dies quietly on a closed stdout pipe).
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeBlock() {
    if (sigismember(&old_, SIGPIPE)) return;  // it was blocked before us: not ours to clear
    const timespec zero{};
    while (sigtimedwait(&pipe_, nullptr, &zero) == SIGPIPE) {
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t pipe_{};
  sigset_t old_{};
};

struct EasyDeleter {
  void operator()(CURL* easy) const noexcept { curl_api().easy_cleanup(easy); }
};
using EasyPtr = std::unique_ptr<CURL, EasyDeleter>;

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != prefix[i]) return false;
  }
  return true;
}

// CURLUSESSL_TRY would send the password in clear to a server that does not offer STARTTLS,
// or to whoever strips the offer from its EHLO reply: with a login, TLS is required unless the
// config says "none" in so many words.
long use_ssl(const SmtpSettings& settings) {
  if (settings.tls == TlsMode::none) return CURLUSESSL_NONE;
  if (settings.tls == TlsMode::implicit || !settings.username.empty()) return CURLUSESSL_ALL;
  return CURLUSESSL_TRY;
}

void check_url(const std::string& url) {
  if (!starts_with_nocase(url, "SMTP://") && !starts_with_nocase(url, "SMTPS://"))
    throw Error(Errc::config, "smtp.url must start with smtp:// or smtps://: " + redact_url(url));
}

// The command a reply answers. Only RCPT and the message itself are about the recipient.
enum class Stage : unsigned char { session, mail, rcpt, data, body, quit };

const char* stage_words(Stage stage, bool data_all_read) {
  switch (stage) {
    case Stage::session:
      return "before the mail transaction";
    case Stage::mail:
      return "after MAIL FROM";
    case Stage::rcpt:
      return "after RCPT TO";
    case Stage::data:
      return "after DATA";
    case Stage::body:
      return data_all_read ? "after the message data" : "during the message data";
    case Stage::quit:
      return "after QUIT";
  }
  return "";
}

// Pairs the reply lines libcurl received with the commands it sent.
class ReplyTracker {
 public:
  void reset() {
    stage_ = Stage::session;
    partial_.clear();
    building_.clear();
    last_code_ = 0;
    last_stage_ = Stage::session;
    last_text_.clear();
    heard_ = false;
    out_midline_ = false;
  }

  void on_command(std::string_view line) {
    // The rest of a command that went out in pieces is not a command of its own.
    const bool continuation = out_midline_;
    out_midline_ = line.empty() || line.back() != '\n';
    if (continuation) return;
    // After a 334 challenge the next line is a SASL answer (base64 credentials) that could
    // happen to start with "DATA"; it is never looked at further either.
    if (last_code_ == 334 && stage_ == Stage::session) return;
    if (starts_with_nocase(line, "MAIL"))
      stage_ = Stage::mail;
    else if (starts_with_nocase(line, "RCPT"))
      stage_ = Stage::rcpt;
    else if (starts_with_nocase(line, "DATA"))
      stage_ = Stage::data;
    else if (starts_with_nocase(line, "QUIT"))
      stage_ = Stage::quit;
    else
      stage_ = Stage::session;
  }

  void on_reply_bytes(std::string_view bytes) {
    heard_ = true;
    while (!bytes.empty()) {
      const auto nl = bytes.find('\n');
      if (nl == std::string_view::npos) {
        partial_.append(bytes);
        return;
      }
      std::string_view line = bytes.substr(0, nl);
      bytes.remove_prefix(nl + 1);
      if (!partial_.empty()) {
        partial_.append(line);
        on_line(partial_);
        partial_.clear();
      } else {
        on_line(line);
      }
    }
  }

  // Whether the server answered the message data with a complete 4xx/5xx reply.
  bool refused_message() const {
    return last_stage_ == Stage::body && last_code_ >= 400 && partial_.empty() && building_.empty();
  }

  int last_code() const { return last_code_; }
  Stage last_stage() const { return last_stage_; }
  Stage stage() const { return stage_; }
  const std::string& last_text() const { return last_text_; }
  bool heard() const { return heard_; }

 private:
  void on_line(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!building_.empty()) building_ += '\n';
    building_.append(line);
    const bool more = line.size() > 3 && line[3] == '-';
    if (more) return;
    // Replies to QUIT come from libcurl closing the connection after the outcome is known.
    if (stage_ != Stage::quit) {
      int code = 0;
      if (line.size() >= 3 &&
          std::all_of(line.begin(), line.begin() + 3, [](char c) { return c >= '0' && c <= '9'; }))
        code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
      last_code_ = code;
      last_stage_ = stage_;
      last_text_.swap(building_);  // swap, not copy: both keep their capacity
      if (stage_ == Stage::data && code == 354) stage_ = Stage::body;
    }
    building_.clear();
  }

  Stage stage_ = Stage::session;
  std::string partial_;   // a reply line split across debug callbacks
  std::string building_;  // the lines of the reply being received
  int last_code_ = 0;
  Stage last_stage_ = Stage::session;
  std::string last_text_;
  bool heard_ = false;        // whether the server said anything during this transfer
  bool out_midline_ = false;  // the last command chunk did not end its line
};

// One connection: an easy handle configured once and reused for every message.
class Connection {
 public:
  explicit Connection(const SmtpSettings& settings) : easy_(curl_api().easy_init()) {
    if (!easy_) throw Error(Errc::internal, "libcurl could not create a handle");
    CURL* e = easy_.get();
    timeout_s_ = settings.timeout_s > 0 ? settings.timeout_s : 30;
    bool ok = true;
    auto set = [&](CURLoption option, auto value) {
      ok = ok && curl_api().easy_setopt(e, option, value) == CURLE_OK;
    };
    set(CURLOPT_URL, settings.url.c_str());
    // libcurl's signal handling (SIGALRM for DNS timeouts, SIGPIPE ignored through
    // sigaction around each call) is process-wide and races between threads; SIGPIPE is
    // blocked per thread instead (SigpipeBlock).
    set(CURLOPT_NOSIGNAL, 1L);
    set(CURLOPT_USE_SSL, use_ssl(settings));
    if (!settings.ca_file.empty()) set(CURLOPT_CAINFO, settings.ca_file.c_str());
    if (!settings.username.empty()) {
      set(CURLOPT_USERNAME, settings.username.c_str());
      set(CURLOPT_PASSWORD, settings.password.c_str());
    }
    set(CURLOPT_MAIL_FROM, settings.mail_from.c_str());
    // libcurl reads the list at each transfer, so one node whose data pointer moves to the
    // current recipient serves every message without an allocation.
    rcpt_.next = nullptr;
    rcpt_.data = empty_;
    set(CURLOPT_MAIL_RCPT, &rcpt_);
    set(CURLOPT_UPLOAD, 1L);
    set(CURLOPT_READFUNCTION, &Connection::read_cb);
    set(CURLOPT_READDATA, this);
    set(CURLOPT_VERBOSE, 1L);  // the debug callback is only called in verbose mode
    set(CURLOPT_DEBUGFUNCTION, &Connection::debug_cb);
    set(CURLOPT_DEBUGDATA, this);
    set(CURLOPT_ERRORBUFFER, errbuf_);
    set(CURLOPT_OPENSOCKETFUNCTION, &Connection::open_socket_cb);
    set(CURLOPT_OPENSOCKETDATA, this);
    set(CURLOPT_CLOSESOCKETFUNCTION, &Connection::close_socket_cb);
    set(CURLOPT_CLOSESOCKETDATA, this);
    set(CURLOPT_CONNECTTIMEOUT, timeout_s_);
    // Bounds each wait for a reply, including the one libcurl does after the message data.
    set(CURLOPT_SERVER_RESPONSE_TIMEOUT, timeout_s_);
    // A server that stops reading the message data: below 1 byte/s for timeout_s.
    set(CURLOPT_LOW_SPEED_LIMIT, 1L);
    set(CURLOPT_LOW_SPEED_TIME, timeout_s_);
    if (!ok) throw Error(Errc::internal, "libcurl rejected the SMTP options");
  }
  // libcurl holds pointers to this object (callbacks, error buffer).
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  // First of all: the cleanup still calls back into the members (QUIT's reply, close).
  ~Connection() { close(); }

  // Says QUIT and closes; the handle is gone afterwards.
  void close() noexcept { easy_.reset(); }

  // Sends one message over this connection (opening it when needed) and says what happened.
  // The envelope's strings must outlive the call.
  Delivery deliver(const Envelope& envelope) noexcept {
    // libcurl puts the address into "RCPT TO:<...>" as it is: a CR or LF would smuggle in
    // commands of its own. The caller validates addresses; this only keeps the wire sane.
    if (envelope.rcpt.empty() || envelope.rcpt.find_first_of("\r\n<>") != std::string::npos) {
      Delivery d;
      d.id = envelope.id;
      d.outcome = Outcome::bounced;
      d.verdict = policy::Verdict::bounced;
      d.stage = policy::Stage::rcpt;
      d.response = "invalid recipient address";
      return d;
    }
    body_ = envelope.data;
    offset_ = 0;
    rcpt_.data = const_cast<char*>(envelope.rcpt.c_str());
    tracker_.reset();
    curl_api().easy_setopt(easy_.get(), CURLOPT_INFILESIZE_LARGE,
                     static_cast<curl_off_t>(envelope.data.size()));
    const CURLcode rc = curl_api().easy_perform(easy_.get());
    // 7.88 keeps the connection after some failures, e.g. a timeout waiting for the reply to
    // the message data; that late reply would then be read as the answer to the next MAIL
    // FROM, and every reply after it would belong to the wrong command. A connection that
    // failed is shut down instead: the next transfer finds it dead, drops it without a
    // (blocking) QUIT and connects again. Only a refusal of the message data itself leaves
    // the conversation in step, and that connection is worth keeping.
    if (rc != CURLE_OK && !tracker_.refused_message())
      for (const curl_socket_t fd : sockets_) shutdown(fd, SHUT_RDWR);
    const bool all_read = offset_ == body_.size();
    rcpt_.data = empty_;
    body_ = {};
    Delivery d;
    d.id = envelope.id;
    classify(rc, all_read, d);
    return d;
  }

 private:
  void classify(CURLcode rc, bool data_all_read, Delivery& d) const {
    d.connected = tracker_.heard();
    const int code = tracker_.last_code();
    const bool replied = rc == CURLE_OK || code >= 400;
    d.smtp_code = replied ? code : 0;
    d.stage = policy_stage(replied ? tracker_.last_stage() : tracker_.stage());
    if (!tracker_.heard()) d.stage = policy::Stage::connect;
    if (replied) {
      d.response = tracker_.last_text();
    } else {
      std::string what;
      switch (rc) {
        case CURLE_COULDNT_CONNECT:
          what = "could not connect";
          d.failure = policy::Failure::no_connection;
          break;
        case CURLE_COULDNT_RESOLVE_HOST:
          what = "could not resolve the host";
          d.failure = policy::Failure::no_connection;
          break;
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_USE_SSL_FAILED:
          what = "TLS failed";
          d.failure = policy::Failure::tls;
          break;
        case CURLE_OPERATION_TIMEDOUT:
          what = std::string("timed out ") + stage_words(tracker_.stage(), data_all_read);
          d.failure = policy::Failure::timeout;
          break;
        default:
          if (!tracker_.heard())
            what = "no reply from the server";
          else
            what = std::string("connection lost ") + stage_words(tracker_.stage(), data_all_read);
          d.failure = tracker_.heard() ? policy::Failure::connection_lost : policy::Failure::no_connection;
      }
      d.response = what + ": " + (errbuf_[0] ? errbuf_ : curl_api().easy_strerror(rc));
    }
    d.verdict = policy::judge(policy::ReplyFacts{d.smtp_code, d.response, d.stage, d.failure});
    d.outcome = d.verdict == policy::Verdict::sent      ? Outcome::sent
                : d.verdict == policy::Verdict::bounced ? Outcome::bounced
                                                        : Outcome::deferred;
    d.session_refused = policy::stops_run(d.verdict);
  }

  static policy::Stage policy_stage(Stage stage) {
    switch (stage) {
      case Stage::session:
      case Stage::quit:
        return policy::Stage::session;
      case Stage::mail:
        return policy::Stage::mail_from;
      case Stage::rcpt:
        return policy::Stage::rcpt;
      case Stage::data:
        return policy::Stage::data;
      case Stage::body:
        return policy::Stage::body;
    }
    return policy::Stage::session;
  }

  static size_t read_cb(char* buffer, size_t size, size_t nitems, void* userp) {
    auto* self = static_cast<Connection*>(userp);
    const size_t n = std::min(size * nitems, self->body_.size() - self->offset_);
    std::memcpy(buffer, self->body_.data() + self->offset_, n);
    self->offset_ += n;
    return n;
  }

  // The sockets are tracked only so that a failed connection can be shut down (see deliver()).
  static curl_socket_t open_socket_cb(void* clientp, curlsocktype, curl_sockaddr* address) {
    auto* self = static_cast<Connection*>(clientp);
    // CLOEXEC: the process may run children (crontab, tests' servers) while connected.
    const int fd = socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
    if (fd < 0) return CURL_SOCKET_BAD;
    self->sockets_.push_back(fd);
    return fd;
  }

  static int close_socket_cb(void* clientp, curl_socket_t fd) {
    auto* self = static_cast<Connection*>(clientp);
    std::erase(self->sockets_, fd);
    return ::close(fd);
  }

  static int debug_cb(CURL*, curl_infotype type, char* data, size_t size, void* userp) {
    auto* self = static_cast<Connection*>(userp);
    if (type == CURLINFO_HEADER_IN)
      self->tracker_.on_reply_bytes({data, size});
    else if (type == CURLINFO_HEADER_OUT)
      self->tracker_.on_command({data, size});
    return 0;
  }

  EasyPtr easy_;
  long timeout_s_ = 30;
  curl_slist rcpt_{};
  char empty_[1] = {'\0'};
  std::string_view body_;
  size_t offset_ = 0;
  ReplyTracker tracker_;
  char errbuf_[CURL_ERROR_SIZE] = {};
  std::vector<curl_socket_t> sockets_;  // open sockets of this handle (normally one)
};

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
    global_init();
    check_url(settings.url);
    const int n = std::max(1, settings.connections);
    for (int i = 0; i < n; ++i) connections.push_back(std::make_unique<Connection>(settings));
  }

  // One connection's loop. `next` and `done` are called under `mutex`, so they never run
  // concurrently; a connection records its result through `done` before it asks for the next
  // envelope, and no thread waits for another to hand it work.
  void drive(Connection& conn, const std::function<std::optional<Envelope>()>& next,
             const std::function<void(std::span<const Delivery>)>& done) {
    const SigpipeBlock no_sigpipe;
    Envelope envelope;
    for (;;) {
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
  std::vector<std::unique_ptr<Connection>> connections;
  std::mutex mutex;
  std::mutex pending_mutex;         // taken alone or inside `mutex`, never the other way round
  std::vector<Delivery> pending;    // guarded by pending_mutex: finished, not yet reported
  std::uint64_t pushed = 0;         // guarded by pending_mutex: deliveries finished so far
  std::uint64_t reported = 0;       // guarded by mutex: deliveries given to `done` so far
  std::vector<Delivery> batch;      // guarded by mutex
  std::exception_ptr failure;  // guarded by mutex: the first exception of a callback
  bool exhausted = false;      // guarded by mutex
  Clock::duration interval{};
  Clock::time_point next_slot{};  // guarded by mutex
};

SmtpSender::SmtpSender(SmtpSettings settings)
    : impl_(std::make_unique<Impl>(std::move(settings))) {}

SmtpSender::~SmtpSender() = default;

void SmtpSender::run(const std::function<std::optional<Envelope>()>& next,
                     const std::function<void(std::span<const Delivery>)>& done) {
  Impl& im = *impl_;
  im.open();
  const double rate = im.settings.rate_per_second;
  im.interval = rate > 0 ? std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / rate))
                         : Clock::duration::zero();
  im.next_slot = Clock::now();
  im.exhausted = false;
  im.failure = nullptr;
  im.pending.clear();
  im.pushed = im.reported = 0;
  std::vector<std::thread> threads;
  threads.reserve(im.connections.size());
  try {
    for (auto& c : im.connections)
      threads.emplace_back([&im, conn = c.get(), &next, &done] { im.drive(*conn, next, done); });
  } catch (...) {
    {
      std::lock_guard lock(im.mutex);
      if (!im.failure) im.failure = std::current_exception();
    }
  }
  for (auto& t : threads) t.join();
  if (im.failure) std::rethrow_exception(im.failure);
}

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

void send_one(const SmtpSettings& settings, const Envelope& envelope) {
  global_init();
  check_url(settings.url);
  Delivery d;
  {
    const SigpipeBlock no_sigpipe;  // around the QUIT of ~Connection too
    Connection conn(settings);
    d = conn.deliver(envelope);
  }
  if (d.outcome != Outcome::sent)
    throw Error(Errc::unavailable, "SMTP server " + redact_url(settings.url) + ": " + d.response);
}

}  // namespace mailer::mail
