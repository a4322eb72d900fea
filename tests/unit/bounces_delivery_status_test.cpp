// The message/delivery-status fields of RFC 3464 §2, read by our own code (issue 12, item 2).
#include "mailer/bounces/delivery_status.hpp"

#include <doctest/doctest.h>

using namespace mailer::bounces;

TEST_CASE("delivery-status: the per-message group, then one group per recipient") {
  DeliveryStatus ds = parse_delivery_status(
      "Reporting-MTA: dns; mx.example.jp\r\n"
      "Arrival-Date: Thu, 29 Apr 2017 23:34:45 +0900\r\n"
      "\r\n"
      "Final-Recipient: rfc822; <Kijitora@example.com>\r\n"
      "Original-Recipient: rfc822;kijitora@example.com\r\n"
      "Action: Failed\r\n"
      "Status: 5.1.1\r\n"
      "Remote-MTA: dns; mx.example.com\r\n"
      "Diagnostic-Code: smtp; 550 5.1.1 <kijitora@example.com>... User Unknown\r\n"
      "\r\n"
      "Final-Recipient: rfc822; sabatora@example.org\r\n"
      "Action: delayed\r\n"
      "Status: 4.4.1\r\n");
  CHECK(ds.reporting_mta == "mx.example.jp");
  REQUIRE(ds.recipients.size() == 2);
  const DsnRecipient& first = ds.recipients[0];
  CHECK(first.final_recipient == "Kijitora@example.com");
  CHECK(first.original_recipient == "kijitora@example.com");
  CHECK(first.action == "failed");
  CHECK(first.status == "5.1.1");
  CHECK(first.remote_mta == "mx.example.com");
  CHECK(first.diagnostic == "550 5.1.1 <kijitora@example.com>... User Unknown");
  CHECK(ds.recipients[1].final_recipient == "sabatora@example.org");
  CHECK(ds.recipients[1].action == "delayed");
  CHECK(ds.recipients[1].diagnostic.empty());
}

TEST_CASE("delivery-status: a folded Diagnostic-Code is unfolded into one line") {
  DeliveryStatus ds = parse_delivery_status(
      "Final-Recipient: rfc822; r@example.jp\n"
      "Action: failed\n"
      "Status: 5.1.1\n"
      "Diagnostic-Code: x-unix; procmail: Couldn't create \"/var/spool/mail/neko\" id:\n"
      "    r.example.org: No such user\n");
  REQUIRE(ds.recipients.size() == 1);
  CHECK(ds.recipients[0].diagnostic ==
        "procmail: Couldn't create \"/var/spool/mail/neko\" id: r.example.org: No such user");
}

TEST_CASE("delivery-status: recipients without a blank line between them are still two") {
  DeliveryStatus ds = parse_delivery_status(
      "Final-Recipient: rfc822; a@example.com\n"
      "Action: failed\n"
      "Status: 5.2.2\n"
      "Final-Recipient: rfc822; b@example.com\n"
      "Original-Recipient: rfc822; b-alias@example.com\n"
      "Action: failed\n"
      "Status: 5.1.1\n");
  REQUIRE(ds.recipients.size() == 2);
  CHECK(ds.recipients[0].status == "5.2.2");
  CHECK(ds.recipients[1].final_recipient == "b@example.com");
  CHECK(ds.recipients[1].original_recipient == "b-alias@example.com");
  CHECK(ds.recipients[1].status == "5.1.1");
}

TEST_CASE("delivery-status: a recipient named only by Original-Recipient keeps that address") {
  DeliveryStatus ds =
      parse_delivery_status("Original-Recipient: rfc822; only@example.com\nAction: failed\nStatus: 5.0.0\n");
  REQUIRE(ds.recipients.size() == 1);
  CHECK(ds.recipients[0].final_recipient == "only@example.com");
}

TEST_CASE(
    "delivery-status: unknown fields and lines that are no field are skipped; empty text has no recipient") {
  CHECK(parse_delivery_status("").recipients.empty());
  CHECK(parse_delivery_status("\n\nnot a field line\n").recipients.empty());
  DeliveryStatus ds = parse_delivery_status(
      "X-Postfix-Queue-ID: 1234\n\nFinal-Recipient: rfc822; x@example.com\nX-Odd: 1\nAction: failed\n");
  REQUIRE(ds.recipients.size() == 1);
  CHECK(ds.recipients[0].action == "failed");
}

TEST_CASE("delivery-status: fields are lower-cased names with trimmed values, blank lines marked") {
  auto fields = parse_fields("Feedback-Type:  abuse \nUser-Agent: X/1\n continued\n\nVersion: 1\n");
  REQUIRE(fields.size() == 4);
  CHECK(fields[0].name == "feedback-type");
  CHECK(fields[0].value == "abuse");
  CHECK(fields[1].value == "X/1 continued");
  CHECK(fields[2].name.empty());
  CHECK(fields[3].name == "version");
}
