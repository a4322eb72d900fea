// Reasons and hard/soft (issue 12, item 4): only a dead address is hard.
#include "mailer/core/bounce_reason.hpp"

#include <doctest/doctest.h>

using namespace mailer::bounce;

namespace {
const char* reason(const char* status, const char* diagnostic) {
  return reason_name(classify(status, diagnostic));
}
}  // namespace

TEST_CASE("classify: each reason from the server's words") {
  CHECK(reason("", "550 5.1.1 <a@example.com>... User Unknown") == std::string("userunknown"));
  CHECK(reason("", "550 Host unknown") == std::string("hostunknown"));
  CHECK(reason("", "Domain does not exist") == std::string("hostunknown"));
  CHECK(reason("", "550 5.1.6 Recipient has moved") == std::string("hasmoved"));
  CHECK(reason("", "452 4.2.2 Mailbox full") == std::string("mailboxfull"));
  CHECK(reason("", "552 User is over quota") == std::string("mailboxfull"));
  CHECK(reason("", "550 Account disabled") == std::string("suspend"));
  CHECK(reason("", "552 Message too large") == std::string("mesgtoobig"));
  CHECK(reason("", "554 Your IP is listed in the Spamhaus blocklist") == std::string("blocked"));
  CHECK(reason("", "550 Message rejected as spam") == std::string("spamdetected"));
  CHECK(reason("", "554 Virus found in message") == std::string("virusdetected"));
  CHECK(reason("", "550 Rejected by local policy") == std::string("policyviolation"));
  CHECK(reason("", "554 Relay access denied") == std::string("norelaying"));
  CHECK(reason("", "553 Sender address rejected: domain not found in DNS") == std::string("rejected"));
  CHECK(reason("", "retry timeout exceeded") == std::string("expired"));
  CHECK(reason("", "connect to mx.example.com: No route to host") == std::string("networkerror"));
  CHECK(reason("", "421 Too many connections from your host") == std::string("toomanyconn"));
  CHECK(reason("", "451 Internal error, try later") == std::string("systemerror"));
  CHECK(reason("", "Fix reverse DNS for 203.0.113.2") == std::string("requireptr"));
  CHECK(reason("", "550 5.7.26 DMARC policy of the sender domain") == std::string("authfailure"));
  CHECK(reason("", "556 No MX found for domain") == std::string("notaccept"));
  CHECK(reason("", "500 Syntax error, command unrecognized") == std::string("syntaxerror"));
}

TEST_CASE("classify: the status code decides when the words say nothing known") {
  CHECK(reason("5.1.1", "") == std::string("userunknown"));
  CHECK(reason("5.1.2", "") == std::string("hostunknown"));
  CHECK(reason("5.1.6", "") == std::string("hasmoved"));
  CHECK(reason("5.2.2", "") == std::string("mailboxfull"));
  CHECK(reason("4.2.2", "") == std::string("mailboxfull"));
  CHECK(reason("5.3.4", "") == std::string("mesgtoobig"));
  CHECK(reason("4.4.7", "") == std::string("expired"));
  CHECK(reason("5.7.1", "") == std::string("securityerror"));
  CHECK(reason("5.0.0", "550 something nobody wrote a rule for") == std::string("undefined"));
  CHECK(reason("", "") == std::string("undefined"));
}

TEST_CASE("classify: the words win over the status (a 5.1.1 that says the mailbox is full)") {
  CHECK(reason("5.1.1", "550 5.1.1 Mailbox full") == std::string("mailboxfull"));
}

TEST_CASE("severity: 5.1.1 and a dead domain are hard; 5.2.2, 5.7.1 and expiry are soft") {
  CHECK(severity_of(classify("5.1.1", ""), "5.1.1") == Severity::hard);
  CHECK(severity_of(Reason::hostunknown, "5.1.2") == Severity::hard);
  CHECK(severity_of(Reason::hasmoved, "5.1.6") == Severity::hard);
  CHECK(severity_of(classify("5.2.2", "552 5.2.2 Mailbox full"), "5.2.2") == Severity::soft);
  CHECK(severity_of(classify("5.7.1", "554 5.7.1 Rejected by policy"), "5.7.1") == Severity::soft);
  CHECK(severity_of(classify("5.7.1", "554 5.7.1 blocked using zen.spamhaus.org"), "5.7.1") ==
        Severity::soft);
  CHECK(severity_of(classify("4.4.7", ""), "4.4.7") == Severity::soft);
  CHECK(severity_of(Reason::undefined, "5.0.0") == Severity::soft);
}

TEST_CASE("severity: a temporary status is never hard, even for an unknown user") {
  CHECK(severity_of(Reason::userunknown, "4.1.1") == Severity::soft);
  CHECK(severity_of(Reason::userunknown, "") == Severity::hard);
}

TEST_CASE("status: the first RFC 3463 code, or one made from a bare reply code") {
  CHECK(find_status("550-5.7.1 [192.0.2.1 13] Messages") == "5.7.1");
  CHECK(find_status("Status: 4.4.7 (delivery time expired)") == "4.4.7");
  CHECK(find_status("version 1.2.3 and 10.5.1.1").empty());
  CHECK(find_status("DSN code 5.1.351 here") == "5.1.351");
  CHECK(find_reply_code("host x[192.0.2.20] said: 553 sorry") == 553);
  CHECK(find_reply_code("port 25550 and 1550") == 0);
  CHECK(status_or_reply("", "550 Unknown user") == "5.0.0");
  CHECK(status_or_reply("", "451 try later") == "4.0.0");
  CHECK(status_or_reply("5.2.2", "550 5.1.1 x") == "5.2.2");
  CHECK(status_or_reply("", "no code at all").empty());
}

TEST_CASE("reason names round-trip, and an unknown name is undefined") {
  for (Reason r : {Reason::userunknown, Reason::mailboxfull, Reason::complaint, Reason::badreputation})
    CHECK(reason_from_name(reason_name(r)) == r);
  CHECK(reason_from_name("no-such-reason") == Reason::undefined);
  CHECK(std::string(severity_name(Severity::hard)) == "hard");
}
