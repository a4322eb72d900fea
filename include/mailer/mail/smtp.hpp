#pragma once
// SMTP delivery through libcurl: N reused connections, a global rate limit, and each
// recipient's SMTP reply code and text as the server sent it.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "mailer/core/config.hpp"
#include "mailer/core/delivery_policy.hpp"

namespace mailer::mail {

// Transport settings (from Config's [smtp] section; the password already read from its env).
struct SmtpSettings {
  std::string url = "smtp://127.0.0.1:25";  // smtp:// (STARTTLS when offered) or smtps://
  TlsMode tls = TlsMode::starttls;          // with a username, TLS is required unless none
  std::string username;
  std::string password;
  std::string mail_from;          // envelope sender, a bare address
  int connections = 4;
  double rate_per_second = 0;     // 0: unlimited
  long timeout_s = 30;
  std::string ca_file;            // PEM CA certificates to verify the server with; "": the system's
};

// The [smtp] section of a config, with the password read from the variable it names.
SmtpSettings smtp_settings(const Config& config);

// One copy to deliver. `id` is the caller's (e.g. a recipient row id).
struct Envelope {
  std::int64_t id = 0;
  std::string rcpt;   // bare address
  std::string data;   // the full RFC 5322 message, CRLF line endings
};

enum class Outcome { sent, bounced, deferred };

// What happened to one envelope. `smtp_code` is 0 when there was no reply (connection
// refused, timeout, connection lost); `response` is then a short description of that.
struct Delivery {
  std::int64_t id = 0;
  Outcome outcome = Outcome::deferred;
  int smtp_code = 0;
  std::string response;   // the server's reply verbatim, code included; the lines of a
                          // multiline reply joined by '\n', without the final CRLF
  bool connected = false; // whether a connection to the server was ever established for it
  bool session_refused = false;  // policy::stops_run(): the server refused the session (no
                                 // connection, TLS, 421, AUTH, MAIL FROM) or our message itself
  policy::Stage stage = policy::Stage::connect;     // the command the last reply answered
  policy::Failure failure = policy::Failure::none;  // how the transfer ended without a reply
  policy::Verdict verdict = policy::Verdict::deferred;  // policy::judge() of the above
};

// Delivers a stream of envelopes over settings.connections parallel connections.
// `next` is called whenever a connection is free; it returns nullopt when there is no more.
// `done` is called with finished deliveries BEFORE their connections are given new envelopes
// (so a caller can commit them first); deliveries that finish while another `done` call runs
// are reported together in the next one (a group commit). Returns when `next` returned nullopt and every envelope
// is done. Each connection is driven by a thread of its own, which calls `next` and `done`
// itself: they run on those threads, one call at a time (never concurrently), so callbacks
// need no locking but must not rely on thread-local state. An exception from a callback stops
// every connection after its current message and is rethrown by run().
// Connections stay open between run() calls and close (QUIT) with the sender.
class SmtpSender {
 public:
  explicit SmtpSender(SmtpSettings settings);
  ~SmtpSender();
  SmtpSender(const SmtpSender&) = delete;
  SmtpSender& operator=(const SmtpSender&) = delete;

  void run(const std::function<std::optional<Envelope>()>& next,
           const std::function<void(std::span<const Delivery>)>& done);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Sends one message (verification and reset emails). Throws Error{Errc::unavailable} with the
// server's reply when it was not accepted.
void send_one(const SmtpSettings& settings, const Envelope& envelope);

}  // namespace mailer::mail
