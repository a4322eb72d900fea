// Tracking tokens and URLs (SPEC §3): genuine ones verify, anything altered does not.
#include <doctest/doctest.h>

#include "mailer/core/tracking.hpp"

using namespace mailer;

namespace {
const std::string kKey(64, 'a');
const std::string kOtherKey(64, 'b');
}  // namespace

TEST_CASE("tracking token: verifies with its key only, names its run and client") {
  std::string token = tracking_token(kKey, 12, 345);
  auto target = verify_tracking_token(kKey, token);
  REQUIRE(target);
  CHECK(target->run == 12);
  CHECK(target->client == 345);
  CHECK_FALSE(verify_tracking_token(kOtherKey, token));
  // Another recipient's numbers with this MAC, a truncated MAC, garbage.
  CHECK_FALSE(verify_tracking_token(kKey, "12.346" + token.substr(token.rfind('.'))));
  CHECK_FALSE(verify_tracking_token(kKey, token.substr(0, token.size() - 1)));
  CHECK_FALSE(verify_tracking_token(kKey, "12.345"));
  CHECK_FALSE(verify_tracking_token(kKey, ""));
  CHECK_FALSE(verify_tracking_token(kKey, "0.0." + token.substr(token.rfind('.') + 1)));
}

TEST_CASE("VERP return path: names its run and client, fits RFC 5321, verifies with its key only") {
  const std::string address = verp_address("bounces@shop.example.ru", kKey, 12, 345);
  CHECK(address.starts_with("bounces+12.345."));
  CHECK(address.ends_with("@shop.example.ru"));
  auto target = verp_target(kKey, address);
  REQUIRE(target);
  CHECK(target->run == 12);
  CHECK(target->client == 345);
  // As a server may write it back: another case of the domain, another local part.
  CHECK(verp_target(kKey, "Other+" + address.substr(address.find('+') + 1)));
  CHECK_FALSE(verp_target(kOtherKey, address));
  CHECK_FALSE(verp_target(kKey, "bounces@shop.example.ru"));
  CHECK_FALSE(verp_target(kKey, "bounces+12.346" + address.substr(address.rfind('.', address.find('@')))));
  CHECK_FALSE(verp_target(kKey, "bounces+garbage@shop.example.ru"));
  CHECK_FALSE(verp_target(kKey, "no-at-sign"));
  // A tracking token is no return path, nor the reverse.
  CHECK_FALSE(verp_target(kKey, "bounces+" + tracking_token(kKey, 12, 345) + "@shop.example.ru"));
  const std::string token = address.substr(address.find('+') + 1, address.find('@') - address.find('+') - 1);
  CHECK_FALSE(verify_tracking_token(kKey, token));
  // The longest local part config allows, with the largest ids: still within 64 octets.
  const std::string longest = verp_address(std::string(kMaxReturnPathLocal, 'b') + "@x.example", kKey,
                                           INT64_C(9999999999), INT64_C(9999999999));
  CHECK(longest.find('@') <= 64);
}

TEST_CASE("tracking URLs: pixel, click and unsubscribe under the base URL") {
  std::string token = tracking_token(kKey, 1, 2);
  CHECK(open_pixel_url("https://t.example", token) == "https://t.example/o/" + token + ".gif");
  CHECK(unsubscribe_url("https://t.example", token) == "https://t.example/u/" + token);
  std::string url = "https://shop.example/кат?a=1&b=2#x";
  std::string click = click_url("https://t.example", kKey, token, url);
  std::string sig = click_signature(kKey, token, url);
  CHECK(click == "https://t.example/c/" + token + "/" + sig + "?u=" + percent_encode(url));
  CHECK(verify_click_signature(kKey, token, url, sig));
  CHECK_FALSE(verify_click_signature(kKey, token, url + "/evil", sig));
  CHECK_FALSE(verify_click_signature(kKey, tracking_token(kKey, 1, 3), url, sig));
  CHECK_FALSE(verify_click_signature(kOtherKey, token, url, sig));
  CHECK_FALSE(verify_click_signature(kKey, token, url, sig.substr(1)));
}

TEST_CASE("percent encoding round-trips every octet; a broken escape is refused") {
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  std::string encoded = percent_encode(all);
  CHECK(encoded.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%") ==
        std::string::npos);
  CHECK(percent_decode(encoded) == all);
  CHECK(percent_decode("a%2fb%2F") == "a/b/");
  CHECK_FALSE(percent_decode("%"));
  CHECK_FALSE(percent_decode("%4"));
  CHECK_FALSE(percent_decode("%zz"));
}
