// base/email_address: the one mailbox parser (config's smtp.from and the From header), and
// IP literals read by inet_pton.
#include "mailer/base/email_address.hpp"

#include <doctest/doctest.h>

#include <string_view>

using mailer::parse_mailbox;

TEST_CASE("email_address: a mailbox is a name and an address in angle brackets, or an address alone") {
  auto m = parse_mailbox("Магазин <news@example.com>");
  CHECK(m.name == "Магазин");
  CHECK(m.address == "news@example.com");
  m = parse_mailbox("news@example.com");
  CHECK(m.name.empty());
  CHECK(m.address == "news@example.com");
  m = parse_mailbox(" \tShop  < news@example.com >\t");
  CHECK(m.name == "Shop");
  CHECK(m.address == "news@example.com");
  m = parse_mailbox("<news@example.com>");
  CHECK(m.name.empty());
  CHECK(m.address == "news@example.com");
}

TEST_CASE("email_address: a quoted name is unquoted, and the last '<' starts the address") {
  auto m = parse_mailbox("\"Doe, \\\"John\\\" <x>\" <john@example.com>");
  CHECK(m.name == "Doe, \"John\" <x>");
  CHECK(m.address == "john@example.com");
  m = parse_mailbox("Shop <old> <news@example.com>");
  CHECK(m.name == "Shop <old>");
  CHECK(m.address == "news@example.com");
}

TEST_CASE("email_address: text that does not end in '>' is all address, and is then not valid") {
  auto m = parse_mailbox("<news@example.com> trailing");
  CHECK(m.name.empty());
  CHECK(m.address == "<news@example.com> trailing");
  CHECK_FALSE(mailer::is_valid_email(m.address));
  CHECK(parse_mailbox("").address.empty());
  CHECK(parse_mailbox("Shop <news@example.com").address == "Shop <news@example.com");
}

TEST_CASE("email_address: IP literals are what inet_pton reads; an IPv4 part with a leading zero is not") {
  CHECK(mailer::is_valid_email("user@[0.0.0.0]"));
  CHECK(mailer::is_valid_email("user@[255.255.255.255]"));
  CHECK(mailer::is_valid_email("user@[IPv6:::]"));
  CHECK(mailer::is_valid_email("user@[IPv6:1::]"));
  CHECK(mailer::is_valid_email("user@[IPv6:1:2:3:4:5:6:192.0.2.1]"));
  for (std::string_view address :
       {"user@[192.0.2.01]", "user@[1.2.3.4 ]", "user@[ 1.2.3.4]", "user@[IPv6:1:]", "user@[IPv6::1]",
        "user@[IPv6:1::2:3:4:5:6:7:8]", "user@[IPv6:1.2.3.4]", "user@[IPv6:]"}) {
    CAPTURE(address);
    CHECK_FALSE(mailer::is_valid_email(address));
  }
}
