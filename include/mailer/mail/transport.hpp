#pragma once
// What the sending engine needs from a mail transport: envelopes in, one Delivery per envelope
// out, over some parallel connections. The libcurl SMTP sender (smtp_sender.hpp) is the real
// one; unit tests put a scripted fake in its place.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "mailer/core/delivery_policy.hpp"

namespace mailer::mail {

// One copy to deliver. `id` is the caller's (e.g. a recipient row id).
struct Envelope {
  std::int64_t id = 0;
  std::string rcpt;       // bare address
  std::string data;       // the full RFC 5322 message, CRLF line endings
  std::string mail_from;  // the envelope sender of this copy (VERP); empty: the connection's
};

enum class Outcome { sent, bounced, deferred };

// What happened to one envelope. `smtp_code` is 0 when there was no reply (connection
// refused, timeout, connection lost); `response` is then a short description of that.
struct Delivery {
  std::int64_t id = 0;
  Outcome outcome = Outcome::deferred;
  int smtp_code = 0;
  std::string response;          // the server's reply verbatim, code included; the lines of a
                                 // multiline reply joined by '\n', without the final CRLF
  bool connected = false;        // whether a connection to the server was ever established for it
  bool session_refused = false;  // policy::stops_run(): the server refused the session (no
                                 // connection, TLS, 421, AUTH, MAIL FROM) or our message itself
  policy::Stage stage = policy::Stage::connect;         // the command the last reply answered
  policy::Failure failure = policy::Failure::none;      // how the transfer ended without a reply
  policy::Verdict verdict = policy::Verdict::deferred;  // policy::judge() of the above
};

// Gives out the next envelope, or nullopt when there is no more.
using NextEnvelope = std::function<std::optional<Envelope>()>;
// Takes finished deliveries (a group commit).
using DeliveriesDone = std::function<void(std::span<const Delivery>)>;

// Admits a transport's connections where the hosts of a fleet share smtp.connections toward
// the server (PostgreSQL). Called from the transport's threads, maybe at once.
class ConnectionGate {
 public:
  virtual ~ConnectionGate() = default;
  // Waits until connection `index` may be open: true. False when it should not wait any
  // longer: `stop` said so, or other hosts held every slot for too long.
  virtual bool enter(int index, const std::function<bool()>& stop) = 0;
  // True when connection `index` should close now and give its slot to a host waiting.
  virtual bool should_leave(int index) = 0;
  // Connection `index` is closed: its slot is free.
  virtual void left(int index) = 0;
};

// Delivers a stream of envelopes over parallel connections.
class Transport {
 public:
  virtual ~Transport() = default;

  // `next` is called whenever a connection is free; it returns nullopt when there is no more.
  // `done` is called with finished deliveries BEFORE their connections are given new envelopes
  // (so a caller can commit them first); deliveries that finish while another `done` call runs
  // are reported together in the next one. Returns when `next` returned nullopt and every
  // envelope is done. `next` and `done` are called one at a time (never concurrently), maybe
  // from threads of the transport's. An exception from a callback stops every connection after
  // its current message and is rethrown by run(). Connections may stay open between run()
  // calls; they close with the transport.
  // With a gate (share_connections), a connection is open only while the gate admits it, and
  // run() may return before `next` returned nullopt: the gate admitted no connection at all.
  virtual void run(const NextEnvelope& next, const DeliveriesDone& done) = 0;

  // From now on the connections are open only as `gate` admits them; a transport with no
  // connections of its own (a test's) ignores it.
  virtual void share_connections(std::unique_ptr<ConnectionGate> gate) { (void)gate; }
};

}  // namespace mailer::mail
