// Reading an SMTP conversation and classifying its end (smtp_reply.hpp), without a server:
// the lines are what libcurl's debug callback would hand over (SPEC §3 reply classes).
#include "mailer/mail/smtp_reply.hpp"

#include <doctest/doctest.h>

using namespace mailer;
using mailer::mail::classify_transfer;
using mailer::mail::ReplyTracker;
using mailer::mail::SmtpCommand;
using mailer::mail::TransferEnd;

namespace {

// A tracker that has seen the greeting, EHLO and MAIL FROM accepted.
ReplyTracker in_transaction() {
  ReplyTracker t;
  t.reset();
  t.on_reply_bytes("220 mx.example.com ESMTP\r\n");
  t.on_command("EHLO me\r\n");
  t.on_reply_bytes("250-mx.example.com\r\n250 8BITMIME\r\n");
  t.on_command("MAIL FROM:<news@example.com>\r\n");
  t.on_reply_bytes("250 2.1.0 Ok\r\n");
  return t;
}

}  // namespace

TEST_CASE("smtp reply: a multiline reply is kept whole, its lines joined by LF without CR") {
  ReplyTracker t;
  t.reset();
  t.on_reply_bytes("220 hi\r\n");
  t.on_command("RCPT TO:<a@example.com>\r\n");
  t.on_reply_bytes("550-5.1.1 first line\r\n550-second line\r\n550 5.1.1 last line\r\n");
  CHECK(t.last_code() == 550);
  CHECK(t.last_command() == SmtpCommand::rcpt);
  CHECK(t.last_text() == "550-5.1.1 first line\n550-second line\n550 5.1.1 last line");
}

TEST_CASE("smtp reply: a reply line split across chunks is read as one line") {
  ReplyTracker t = in_transaction();
  t.on_command("RCPT TO:<a@example.com>\r\n");
  t.on_reply_bytes("45");
  t.on_reply_bytes("1 4.7.1 Greylisted");
  CHECK(t.last_code() == 250);  // not complete yet
  t.on_reply_bytes(", come back later\r\n");
  CHECK(t.last_code() == 451);
  CHECK(t.last_text() == "451 4.7.1 Greylisted, come back later");
  const auto d = classify_transfer(7, t, TransferEnd::other, false, "RCPT failed");
  CHECK(d.id == 7);
  CHECK(d.smtp_code == 451);
  CHECK(d.stage == policy::Stage::rcpt);
  CHECK(d.verdict == policy::Verdict::deferred);
  CHECK(d.outcome == mail::Outcome::deferred);
  CHECK(!d.session_refused);
  CHECK(d.connected);
}

TEST_CASE("smtp reply: a 550 to RCPT bounces with the server's text verbatim") {
  ReplyTracker t = in_transaction();
  t.on_command("RCPT TO:<a@example.com>\r\n");
  t.on_reply_bytes("550 5.1.1 <a@example.com>: Recipient address rejected\r\n");
  const auto d = classify_transfer(1, t, TransferEnd::other, false, "ignored");
  CHECK(d.verdict == policy::Verdict::bounced);
  CHECK(d.outcome == mail::Outcome::bounced);
  CHECK(d.response == "550 5.1.1 <a@example.com>: Recipient address rejected");
}

TEST_CASE("smtp reply: after 354 the reply belongs to the message data; a 5.6.0 there refuses our message") {
  ReplyTracker t = in_transaction();
  t.on_command("RCPT TO:<a@example.com>\r\n");
  t.on_reply_bytes("250 Ok\r\n");
  t.on_command("DATA\r\n");
  t.on_reply_bytes("354 go ahead\r\n");
  CHECK(t.command() == SmtpCommand::body);
  t.on_reply_bytes("554 5.6.0 Message line too long\r\n");
  CHECK(t.refused_message());
  const auto d = classify_transfer(1, t, TransferEnd::other, true, "ignored");
  CHECK(d.stage == policy::Stage::body);
  CHECK(d.verdict == policy::Verdict::message_refused);
  CHECK(d.session_refused);  // stops the run
}

TEST_CASE("smtp reply: a 250 to the data is sent; the reply to QUIT afterwards changes nothing") {
  ReplyTracker t = in_transaction();
  t.on_command("RCPT TO:<a@example.com>\r\n");
  t.on_reply_bytes("250 Ok\r\n");
  t.on_command("DATA\r\n");
  t.on_reply_bytes("354 go ahead\r\n");
  t.on_reply_bytes("250 2.0.0 Ok: queued as ABC\r\n");
  t.on_command("QUIT\r\n");
  t.on_reply_bytes("221 2.0.0 Bye\r\n");
  const auto d = classify_transfer(1, t, TransferEnd::ok, true, "");
  CHECK(d.verdict == policy::Verdict::sent);
  CHECK(d.smtp_code == 250);
  CHECK(d.response == "250 2.0.0 Ok: queued as ABC");
}

TEST_CASE(
    "smtp reply: the SASL answer after a 334 is never read as a command, so a 535 is about the session") {
  ReplyTracker t;
  t.reset();
  t.on_reply_bytes("220 hi\r\n");
  t.on_command("AUTH LOGIN\r\n");
  t.on_reply_bytes("334 VXNlcm5hbWU6\r\n");
  t.on_command("DATAbWU=\r\n");  // base64 credentials that happen to start with DATA
  CHECK(t.command() == SmtpCommand::session);
  t.on_reply_bytes("535 5.7.8 Authentication failed\r\n");
  const auto d = classify_transfer(1, t, TransferEnd::other, false, "Login denied");
  CHECK(d.stage == policy::Stage::session);
  CHECK(d.verdict == policy::Verdict::session_refused);
  CHECK(d.smtp_code == 535);
}

TEST_CASE("smtp reply: the rest of a command sent in pieces is not a command of its own") {
  ReplyTracker t = in_transaction();
  t.on_command("RCPT TO:<a@exam");
  t.on_command("DATA-looking rest>\r\n");
  CHECK(t.command() == SmtpCommand::rcpt);
}

TEST_CASE("smtp reply: a 421 greeting refuses the session with its text") {
  ReplyTracker t;
  t.reset();
  t.on_reply_bytes("421 4.3.2 Too busy\r\n");
  const auto d = classify_transfer(1, t, TransferEnd::other, false, "Weird server reply");
  CHECK(d.smtp_code == 421);
  CHECK(d.response == "421 4.3.2 Too busy");
  CHECK(d.verdict == policy::Verdict::session_refused);
}

TEST_CASE(
    "smtp reply: without a reply the failure is described and only a cut after RCPT is the recipient's") {
  SUBCASE("nobody listening") {
    ReplyTracker t;
    t.reset();
    const auto d = classify_transfer(1, t, TransferEnd::no_connection, false, "Connection refused");
    CHECK(d.smtp_code == 0);
    CHECK(!d.connected);
    CHECK(d.stage == policy::Stage::connect);
    CHECK(d.failure == policy::Failure::no_connection);
    CHECK(d.response == "could not connect: Connection refused");
    CHECK(d.verdict == policy::Verdict::session_refused);
  }
  SUBCASE("silence") {
    ReplyTracker t;
    t.reset();
    const auto d = classify_transfer(1, t, TransferEnd::other, false, "Recv failure");
    CHECK(d.response == "no reply from the server: Recv failure");
    CHECK(d.verdict == policy::Verdict::session_refused);
  }
  SUBCASE("TLS") {
    ReplyTracker t;
    t.reset();
    t.on_reply_bytes("220 hi\r\n");
    const auto d = classify_transfer(1, t, TransferEnd::tls, false, "handshake failed");
    CHECK(d.response == "TLS failed: handshake failed");
    CHECK(d.failure == policy::Failure::tls);
    CHECK(d.verdict == policy::Verdict::session_refused);
  }
  SUBCASE("a timeout during the message data") {
    ReplyTracker t = in_transaction();
    t.on_command("RCPT TO:<a@example.com>\r\n");
    t.on_reply_bytes("250 Ok\r\n");
    t.on_command("DATA\r\n");
    t.on_reply_bytes("354 go ahead\r\n");
    const auto d = classify_transfer(1, t, TransferEnd::timeout, false, "Operation timed out");
    CHECK(d.smtp_code == 0);
    CHECK(d.response == "timed out during the message data: Operation timed out");
    CHECK(d.failure == policy::Failure::timeout);
    CHECK(d.verdict == policy::Verdict::deferred);
  }
  SUBCASE("a connection lost after the message data") {
    ReplyTracker t = in_transaction();
    t.on_command("RCPT TO:<a@example.com>\r\n");
    t.on_reply_bytes("250 Ok\r\n");
    t.on_command("DATA\r\n");
    t.on_reply_bytes("354 go ahead\r\n");
    const auto d = classify_transfer(1, t, TransferEnd::other, true, "Connection died");
    CHECK(d.response == "connection lost after the message data: Connection died");
    CHECK(d.failure == policy::Failure::connection_lost);
    CHECK(d.verdict == policy::Verdict::deferred);
  }
}

TEST_CASE("smtp reply: an address with CR, LF or angle brackets is refused before the wire") {
  CHECK(mail::wire_safe_address("a@example.com"));
  CHECK(!mail::wire_safe_address(""));
  CHECK(!mail::wire_safe_address("a@example.com\r\nRCPT TO:<b@example.com"));
  CHECK(!mail::wire_safe_address("a@example.com>"));
  const auto d = mail::invalid_recipient(9);
  CHECK(d.id == 9);
  CHECK(d.verdict == policy::Verdict::bounced);
  CHECK(d.response == "invalid recipient address");
}
