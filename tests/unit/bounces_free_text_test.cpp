// Free-text bounces of the MTAs that send no delivery-status part (issue 12, item 2), and what
// a message is taken for: bounce, complaint, auto-reply or none.
#include "mailer/bounces/free_text.hpp"

#include <doctest/doctest.h>

#include "mailer/bounces/assemble.hpp"

using namespace mailer::bounces;

TEST_CASE("free text: Exim lists the address, then what the server said, indented") {
  auto found = parse_free_text(
      "A message that you sent could not be delivered to one or more of its\n"
      "recipients. This is a permanent error. The following address(es) failed:\n\n"
      "  kijitora@example.jp\n"
      "    SMTP error from remote mail server after RCPT TO:<kijitora@example.jp>:\n"
      "    host mx.example.jp [192.0.2.222]: 550 5.1.1 <kijitora@example.jp>... User Unknown\n\n"
      "------ This is a copy of the message, including all the headers. ------\n"
      "To: someone.else@example.org\n");
  REQUIRE(found.size() == 1);
  CHECK(found[0].recipient == "kijitora@example.jp");
  CHECK(found[0].status == "5.1.1");
  CHECK(found[0].diagnostic.find("User Unknown") != std::string::npos);
}

TEST_CASE("free text: qmail's <address>: and a bare 550 give status 5.0.0") {
  auto found = parse_free_text(
      "Hi. This is the qmail-send program at mx4.example.jp.\n"
      "I'm afraid I wasn't able to deliver your message to the following addresses.\n\n"
      "<Kijitora@example.ne.jp>:\n"
      "remote host 192.0.2.32 said: 550 Unknown user kijitora@example.ne.jp\n\n"
      "--- Below this line is a copy of the message.\n");
  REQUIRE(found.size() == 1);
  CHECK(found[0].recipient == "kijitora@example.ne.jp");
  CHECK(found[0].status == "5.0.0");
}

TEST_CASE("free text: Gmail's technical details after a blank line belong to the address") {
  auto found = parse_free_text(
      "Delivery to the following recipient failed permanently:\n\n"
      "     userunknown@example.jp\n\n"
      "Technical details of permanent failure:\n"
      "Google tried to deliver your message, but it was rejected by the server.\n\n"
      "The error that the other server returned was:\n"
      "550 5.1.1 <userunknown@example.jp>... User Unknown\n\n"
      "----- Original message -----\n");
  REQUIRE(found.size() == 1);
  CHECK(found[0].status == "5.1.1");
  CHECK(found[0].diagnostic.find("User Unknown") != std::string::npos);
}

TEST_CASE("free text: OpenSMTPD's address: reply on one line, each address once") {
  auto found = parse_free_text(
      "the following list of recipients:\n\n"
      "a@example.com: 550 5.1.1 no such user\n"
      "b@example.com: 552 5.2.2 mailbox full\n"
      "a@example.com: 550 5.1.1 no such user\n");
  REQUIRE(found.size() == 2);
  CHECK(found[1].recipient == "b@example.com");
  CHECK(found[1].status == "5.2.2");
}

TEST_CASE("free text: a warning without codes is temporary; prose naming an address opens nothing") {
  auto found = parse_free_text("THIS IS A WARNING MESSAGE ONLY.\n\n  x@example.com\n    still trying\n");
  REQUIRE(found.size() == 1);
  CHECK(found[0].status == "4.0.0");
  CHECK(parse_free_text("Please write to desk@example.net if you need help.\n").empty());
  CHECK(parse_free_text("").empty());
}

namespace {
MessageParts message(const char* from, const char* subject) {
  MessageParts p;
  p.is_message = true;
  p.from = from;
  p.subject = subject;
  return p;
}
}  // namespace

TEST_CASE("report: an Exim bounce marked Auto-Submitted: auto-replied is a bounce, not an auto-reply") {
  MessageParts p = message("Mail Delivery System <Mailer-Daemon@example.jp>", "Mail delivery failed");
  p.auto_submitted = "auto-replied";
  p.text = "The following address(es) failed:\n\n  a@example.com\n    550 5.1.1 User unknown\n";
  Report r = assemble(p);
  CHECK(r.kind == Kind::bounce);
  REQUIRE(r.failures.size() == 1);
  CHECK(r.failures[0].reason == Reason::userunknown);
  CHECK(r.failures[0].severity == Severity::hard);
}

TEST_CASE("report: vacation replies are no bounce, whatever their text says") {
  MessageParts p = message("Ann <ann@example.net>", "Out of Office: Winter sale");
  p.auto_submitted = "auto-replied";
  p.text = "desk@example.net: 550 they will help\n";
  Report r = assemble(p);
  CHECK(r.kind == Kind::auto_reply);
  CHECK(r.failures.empty());
  MessageParts q = message("Ivan <ivan@example.ru>", "Re: sale");
  q.autoreply_header = true;
  CHECK(assemble(q).kind == Kind::auto_reply);
}

TEST_CASE("report: an ARF feedback report is a complaint about its Original-Rcpt-To") {
  MessageParts p = message("fbl@isp.example.net", "Complaint");
  p.report_type = "feedback-report";
  p.feedback_report = "Feedback-Type: abuse\nOriginal-Rcpt-To: <Ann@ISP.example.net>\n";
  p.original_headers = "Message-ID: <m1@shop.example.com>\nTo: ann@isp.example.net\n";
  Report r = assemble(p);
  CHECK(r.kind == Kind::complaint);
  REQUIRE(r.failures.size() == 1);
  CHECK(r.failures[0].recipient == "ann@isp.example.net");
  CHECK(r.failures[0].reason == Reason::complaint);
  CHECK(r.original_message_id == "m1@shop.example.com");
}

TEST_CASE("report: a DSN whose recipients were all delivered is no bounce; a delay is a delay") {
  MessageParts p = message("MAILER-DAEMON@example.com", "Delivery Status Notification");
  p.delivery_status = {
      "Reporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; a@example.com\nAction: delivered\nStatus: 2.1.5\n"};
  Report r = assemble(p);
  CHECK(r.kind == Kind::not_bounce);
  CHECK(r.failures.empty());
  p.delivery_status = {"Final-Recipient: rfc822; a@example.com\nAction: delayed\nStatus: 4.4.7\n"};
  r = assemble(p);
  CHECK(r.kind == Kind::delayed);
  REQUIRE(r.failures.size() == 1);
  CHECK(r.failures[0].reason == Reason::expired);
  CHECK(r.failures[0].severity == Severity::soft);
}

TEST_CASE("report: a personal reply naming an address is no bounce; no headers is no message") {
  MessageParts p = message("Bob <bob@example.org>", "Re: Winter sale");
  p.text = "carol@example.org: she asked about it.\n";
  CHECK(assemble(p).kind == Kind::not_bounce);
  CHECK(assemble(MessageParts{}).kind == Kind::not_bounce);
}
