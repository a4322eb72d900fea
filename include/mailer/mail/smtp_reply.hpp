#pragma once
// Reading an SMTP conversation as libcurl shows it (the commands it sent, the reply lines it
// received) and saying what it meant for the recipient. Pure: no I/O, no libcurl, so every
// case is unit-tested without a server.
#include <string>
#include <string_view>

#include "mailer/mail/transport.hpp"

namespace mailer::mail {

// The command a reply answers. Only RCPT and the message itself are about the recipient.
enum class SmtpCommand : unsigned char { session, mail, rcpt, data, body, quit };

// How a transfer ended, as far as the connection (not the server's reply) tells.
enum class TransferEnd : unsigned char {
  ok,             // the transfer completed
  no_connection,  // could not connect
  unresolved,     // could not resolve the host
  tls,            // the TLS handshake or verification failed, or TLS was required and refused
  timeout,        // a wait for the server ran out
  other,          // anything else: the connection was lost, or a reply made the transfer fail
};

// ASCII case-insensitive prefix test (SMTP commands, URL schemes).
bool starts_with_nocase(std::string_view s, std::string_view prefix);

// Pairs the reply lines libcurl received with the commands it sent. reset() before each
// transfer; then feed it every chunk of the conversation in order.
class ReplyTracker {
 public:
  // Forgets the previous transfer.
  void reset();
  // A chunk of what was sent (CURLINFO_HEADER_OUT); a command may come in pieces.
  void on_command(std::string_view line);
  // A chunk of what was received (CURLINFO_HEADER_IN); lines may be split across chunks.
  void on_reply_bytes(std::string_view bytes);

  // Whether the server answered the message data with a complete 4xx/5xx reply.
  bool refused_message() const {
    return last_command_ == SmtpCommand::body && last_code_ >= 400 && partial_.empty() && building_.empty();
  }
  // The code of the last complete reply (0: none, or not three digits).
  int last_code() const { return last_code_; }
  // The command that reply answered.
  SmtpCommand last_command() const { return last_command_; }
  // The command being answered now (where a cut conversation broke off).
  SmtpCommand command() const { return command_; }
  // The last complete reply verbatim, its lines joined by '\n'.
  const std::string& last_text() const { return last_text_; }
  // Whether the server said anything during this transfer.
  bool heard() const { return heard_; }

 private:
  void on_line(std::string_view line);

  SmtpCommand command_ = SmtpCommand::session;
  std::string partial_;   // a reply line split across debug callbacks
  std::string building_;  // the lines of the reply being received
  int last_code_ = 0;
  SmtpCommand last_command_ = SmtpCommand::session;
  std::string last_text_;
  bool heard_ = false;        // whether the server said anything during this transfer
  bool out_midline_ = false;  // the last command chunk did not end its line
};

// The Delivery of envelope `id` after a transfer that ended as `end`, with the conversation in
// `tracker`. `data_all_read`: the whole message was handed over; `error`: the transport's own
// words for a failure (libcurl's error buffer), used when the server gave no reply.
Delivery classify_transfer(std::int64_t id, const ReplyTracker& tracker, TransferEnd end, bool data_all_read,
                           std::string_view error);

// The Delivery of an address that must not reach the wire (empty, CR, LF, angle brackets).
Delivery invalid_recipient(std::int64_t id);

// Whether an address can be put into "RCPT TO:<...>" as it is.
bool wire_safe_address(std::string_view rcpt);

}  // namespace mailer::mail
