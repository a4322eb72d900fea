#include "mailer/core/tracking.hpp"

#include <sodium.h>

#include <charconv>

#include <fmt/format.h>

#include "mailer/base/encoding.hpp"
#include "mailer/base/error.hpp"

namespace mailer {
namespace {

std::string mac_hex(const std::string& key, std::string_view message) {
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

std::string mac_hex(const std::string& key, std::int64_t run, std::int64_t client) {
  return mac_hex(key, fmt::format("{}.{}", run, client));
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
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
  if (!constant_time_equal(view.substr(second + 1), expected)) return std::nullopt;
  return t;
}

std::string open_pixel_url(std::string_view base, std::string_view token) {
  return fmt::format("{}/o/{}.gif", base, token);
}

std::string click_url(std::string_view base, const std::string& key, std::string_view token,
                      std::string_view url) {
  return fmt::format("{}/c/{}/{}?u={}", base, token, click_signature(key, token, url), percent_encode(url));
}

std::string unsubscribe_url(std::string_view base, std::string_view token) {
  return fmt::format("{}/u/{}", base, token);
}

std::string click_signature(const std::string& key, std::string_view token, std::string_view url) {
  // The "click" prefix keeps a click signature from ever equalling a token's MAC.
  return mac_hex(key, fmt::format("click\n{}\n{}", token, url));
}

bool verify_click_signature(const std::string& key, std::string_view token, std::string_view url,
                            std::string_view signature) {
  return constant_time_equal(signature, click_signature(key, token, url));
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (unsigned char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int hi = hex_value(text[i + 1]), lo = hex_value(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

}  // namespace mailer
