#pragma once
// SMTP delivery through libcurl: N reused connections, a global rate limit, and each
// recipient's SMTP reply code and text as the server sent it.
#include <functional>
#include <memory>

#include "mailer/core/config.hpp"
#include "mailer/mail/transport.hpp"

namespace mailer::mail {

// Transport settings (from Config's [smtp] section; the password already read from its env).
struct SmtpSettings {
  std::string url = "smtp://127.0.0.1:25";  // smtp:// (STARTTLS when offered) or smtps://
  TlsMode tls = TlsMode::starttls;          // with a username, TLS is required unless none
  std::string username;
  std::string password;
  std::string mail_from;  // envelope sender, a bare address
  int connections = 4;
  double rate_per_second = 0;  // 0: unlimited
  long timeout_s = 30;
  std::string ca_file;  // PEM CA certificates to verify the server with; "": the system's
};

// The [smtp] section of a config, with the password read from the variable it names.
SmtpSettings smtp_settings(const Config& config);

// Makes the transport a send uses; dispatch calls it with the config's settings.
using TransportFactory = std::function<std::unique_ptr<Transport>(const SmtpSettings& settings)>;

// The Transport over settings.connections libcurl connections, each driven by a thread of its
// own which calls `next` and `done` itself (under one lock), so callbacks need no locking but
// must not rely on thread-local state. Connections stay open between run() calls and close
// (QUIT) with the sender.
class SmtpSender final : public Transport {
 public:
  // Connects at the first run(), not here.
  explicit SmtpSender(SmtpSettings settings);
  // Says QUIT on every connection at once.
  ~SmtpSender() override;
  SmtpSender(const SmtpSender&) = delete;
  SmtpSender& operator=(const SmtpSender&) = delete;

  // See Transport::run.
  void run(const NextEnvelope& next, const DeliveriesDone& done) override;
  // See Transport::share_connections; before the first run().
  void share_connections(std::unique_ptr<ConnectionGate> gate) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The transport `factory` makes, or without one the libcurl SmtpSender over `settings`.
std::unique_ptr<Transport> make_transport(const TransportFactory& factory, const SmtpSettings& settings);

// Sends one message (verification and reset emails). Throws Error{Errc::unavailable} with the
// server's reply when it was not accepted.
void send_one(const SmtpSettings& settings, const Envelope& envelope);

}  // namespace mailer::mail
