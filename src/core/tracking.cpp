#include "mailer/core/tracking.hpp"

#include <sodium.h>

#include <charconv>

#include <fmt/format.h>

#include "mailer/base/encoding.hpp"
#include "mailer/base/error.hpp"

namespace mailer {
namespace {

std::string mac_hex(const std::string& key, std::int64_t run, std::int64_t client) {
  std::string message = fmt::format("{}.{}", run, client);
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  crypto_auth_hmacsha256_final(&state, mac);
  char hex[2 * 16 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, 16);  // 128 bits are plenty against guessing
  return hex;
}

}  // namespace

std::string tracking_key(store::Database& db) {
  sodium_ready();
  if (auto key = db.settings().find("tracking_key")) return *key;
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  // Two processes making the first key at once: both keep the one stored first.
  db.settings().insert_if_missing("tracking_key", hex);
  return db.settings().find("tracking_key").value_or(hex);
}

std::string tracking_token(const std::string& key, std::int64_t run, std::int64_t client) {
  return fmt::format("{}.{}.{}", run, client, mac_hex(key, run, client));
}

std::optional<TokenTarget> verify_tracking_token(const std::string& key, const std::string& token) {
  auto first = token.find('.');
  auto second = first == std::string::npos ? std::string::npos : token.find('.', first + 1);
  if (second == std::string::npos) return std::nullopt;
  TokenTarget t;
  auto parse = [](std::string_view s, std::int64_t& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size() && out > 0;
  };
  std::string_view view(token);
  if (!parse(view.substr(0, first), t.run) || !parse(view.substr(first + 1, second - first - 1), t.client))
    return std::nullopt;
  std::string expected = mac_hex(key, t.run, t.client);
  std::string_view given = view.substr(second + 1);
  if (given.size() != expected.size() || sodium_memcmp(given.data(), expected.data(), expected.size()) != 0)
    return std::nullopt;
  return t;
}

}  // namespace mailer
