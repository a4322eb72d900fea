// base/encoding: hex by libsodium, random hex, one initialisation.
#include "mailer/base/encoding.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>

TEST_CASE("encoding: to_hex writes two lowercase digits a byte, high nibble first") {
  const unsigned char bytes[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
  CHECK(mailer::to_hex(bytes, sizeof bytes) == "00017f80abff");
  CHECK(mailer::to_hex(bytes, 0).empty());
  CHECK(mailer::to_hex("Ж", 2) == "d096");
}

TEST_CASE("encoding: random_hex gives 2 digits a byte and differs from call to call") {
  mailer::sodium_ready();
  mailer::sodium_ready();  // initialising twice is harmless
  std::set<std::string> seen;
  for (int i = 0; i < 16; ++i) {
    const std::string h = mailer::random_hex(8);
    CHECK(h.size() == 16);
    CHECK(h.find_first_not_of("0123456789abcdef") == std::string::npos);
    seen.insert(h);
  }
  CHECK(seen.size() == 16);
  CHECK(mailer::random_hex(0).empty());
}
