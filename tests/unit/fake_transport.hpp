#pragma once
// A mail::Transport for dispatch unit tests: no network, each recipient's SMTP conversation
// scripted by the test. The scripted lines go through the real reply classifier
// (smtp_reply.hpp), so a Delivery is what the libcurl sender would have made of that server.
//
//   test::FakeServer server;
//   server.script("ann@example.com", {test::Reply::greylisted, test::Reply::accepted});
//   request.transport = server.factory();
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mailer/mail/smtp_reply.hpp"
#include "mailer/mail/smtp_sender.hpp"
#include "mailer/mail/transport.hpp"

namespace mailer::test {

// What the fake server does with one envelope.
enum class Reply {
  accepted,        // 250 to the message data
  greylisted,      // 451 to RCPT
  no_such_user,    // 550 to RCPT
  mailbox_full,    // 552 5.2.2 to RCPT: a soft bounce
  greeting_421,    // 421 instead of the greeting: the session is refused
  auth_535,        // 535 to AUTH: our login is refused
  cut_after_data,  // the connection drops after the message data, before any reply
  no_connection,   // nobody listens
  line_too_long,   // 554 5.6.0 to the message data: our own message is refused
};

// The scripts and what the transports made by factory() saw; outlives them.
class FakeServer {
 public:
  // The replies `rcpt` gets, one per delivery in order; after them, `fallback`.
  void script(const std::string& rcpt, std::vector<Reply> replies) {
    auto& q = scripts_[rcpt];
    q.insert(q.end(), replies.begin(), replies.end());
  }
  // What every recipient without a script (or past its script) gets.
  Reply fallback = Reply::accepted;
  // Called with each envelope before it is answered (on the sender's thread, between its
  // callbacks: the test may change the database here).
  std::function<void(const mail::Envelope&)> on_deliver;

  // Every envelope delivered, in order, and the connections each transport was made with.
  std::vector<mail::Envelope> delivered;
  std::vector<int> transports_made;
  // The size of each batch given to `done`, in order.
  std::vector<std::size_t> batches;

  // Recipients delivered to, in order.
  std::vector<std::string> rcpts() const {
    std::vector<std::string> out;
    for (const auto& e : delivered) out.push_back(e.rcpt);
    return out;
  }

  // The factory for SendRequest::transport.
  mail::TransportFactory factory();

  // The Delivery `reply` makes for envelope `id`, through the real classifier.
  static mail::Delivery answer(std::int64_t id, Reply reply) {
    mail::ReplyTracker t;
    t.reset();
    auto say = [&](const char* line) { t.on_reply_bytes(std::string(line) + "\r\n"); };
    auto send = [&](const char* command) { t.on_command(std::string(command) + "\r\n"); };
    mail::TransferEnd end = mail::TransferEnd::other;
    bool all_read = true;
    if (reply == Reply::no_connection)
      return mail::classify_transfer(id, t, mail::TransferEnd::no_connection, false, "Connection refused");
    if (reply == Reply::greeting_421) {
      say("421 4.3.2 Service not available, closing channel");
      return mail::classify_transfer(id, t, end, false, "Weird server reply");
    }
    say("220 fake.example.com ESMTP");
    send("EHLO client");
    say("250-fake.example.com");
    say("250 AUTH PLAIN");
    if (reply == Reply::auth_535) {
      send("AUTH PLAIN AGFubgBwdw==");
      say("535 5.7.8 Authentication credentials invalid");
      return mail::classify_transfer(id, t, mail::TransferEnd::other, false, "Login denied");
    }
    send("MAIL FROM:<news@example.com>");
    say("250 2.1.0 Ok");
    send("RCPT TO:<someone@example.com>");
    if (reply == Reply::greylisted) {
      say("451 4.7.1 Greylisted, try again later");
      return mail::classify_transfer(id, t, end, false, "RCPT failed: 451");
    }
    if (reply == Reply::no_such_user) {
      say("550 5.1.1 No such user");
      return mail::classify_transfer(id, t, end, false, "RCPT failed: 550");
    }
    if (reply == Reply::mailbox_full) {
      say("552 5.2.2 Mailbox full");
      return mail::classify_transfer(id, t, end, false, "RCPT failed: 552");
    }
    say("250 2.1.5 Ok");
    send("DATA");
    say("354 End data with <CR><LF>.<CR><LF>");
    if (reply == Reply::cut_after_data)
      return mail::classify_transfer(id, t, mail::TransferEnd::other, all_read, "Connection died");
    if (reply == Reply::line_too_long) {
      say("554 5.6.0 Message line too long");
      return mail::classify_transfer(id, t, end, all_read, "Failed sending data to the peer");
    }
    say("250 2.0.0 Ok: queued as FAKE");
    return mail::classify_transfer(id, t, mail::TransferEnd::ok, all_read, "");
  }

 private:
  friend class FakeTransport;

  Reply next_reply(const std::string& rcpt) {
    auto it = scripts_.find(rcpt);
    if (it == scripts_.end() || it->second.empty()) return fallback;
    Reply r = it->second.front();
    it->second.pop_front();
    return r;
  }

  std::map<std::string, std::deque<Reply>> scripts_;
};

// N connections in lock step, on the caller's thread: each free connection takes an envelope,
// all of them are answered, and their deliveries go to `done` as one batch before any
// connection takes the next (the group commit of the real sender, deterministically).
class FakeTransport final : public mail::Transport {
 public:
  FakeTransport(FakeServer& server, int connections)
      : server_(server), connections_(connections < 1 ? 1 : connections) {}

  void run(const mail::NextEnvelope& next, const mail::DeliveriesDone& done) override {
    for (;;) {
      std::vector<mail::Envelope> taken;
      while (static_cast<int>(taken.size()) < connections_) {
        std::optional<mail::Envelope> e = next();
        if (!e) break;
        taken.push_back(std::move(*e));
      }
      if (taken.empty()) return;
      std::vector<mail::Delivery> batch;
      for (const auto& e : taken) {
        if (server_.on_deliver) server_.on_deliver(e);
        server_.delivered.push_back(e);
        batch.push_back(FakeServer::answer(e.id, server_.next_reply(e.rcpt)));
      }
      server_.batches.push_back(batch.size());
      done(batch);
      if (static_cast<int>(taken.size()) < connections_) return;  // `next` said there is no more
    }
  }

 private:
  FakeServer& server_;
  int connections_;
};

inline mail::TransportFactory FakeServer::factory() {
  return [this](const mail::SmtpSettings& settings) -> std::unique_ptr<mail::Transport> {
    transports_made.push_back(settings.connections);
    return std::make_unique<FakeTransport>(*this, settings.connections);
  };
}

}  // namespace mailer::test
