#include "mailer/core/tracking.hpp"

#include <sodium.h>

#include <charconv>

#include <fmt/format.h>

#include "mailer/base/encoding.hpp"
#include "mailer/base/error.hpp"

namespace mailer {
namespace {

// 128 bits by default: plenty against guessing.
std::string mac_hex(const std::string& key, std::string_view message, std::size_t bytes = 16) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  crypto_auth_hmacsha256_final(&state, mac);
  char hex[2 * crypto_auth_hmacsha256_BYTES + 1];
  sodium_bin2hex(hex, 2 * bytes + 1, mac, bytes);
  return hex;
}

std::string mac_hex(const std::string& key, std::int64_t run, std::int64_t client) {
  return mac_hex(key, fmt::format("{}.{}", run, client));
}

// The "verp" prefix keeps a return path's MAC from ever equalling a tracking token's.
std::string verp_mac(const std::string& key, std::int64_t run, std::int64_t client) {
  return mac_hex(key, fmt::format("verp\n{}.{}", run, client), kVerpMacBytes);
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

namespace {

// "<run>.<client>.<mac>" whose <mac> is `mac(run, client)`.
template <class Mac>
std::optional<TokenTarget> parse_token(std::string_view token, Mac mac) {
  auto first = token.find('.');
  auto second = first == std::string::npos ? std::string::npos : token.find('.', first + 1);
  if (second == std::string::npos) return std::nullopt;
  TokenTarget t;
  auto parse = [](std::string_view s, std::int64_t& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size() && out > 0;
  };
  if (!parse(token.substr(0, first), t.run) || !parse(token.substr(first + 1, second - first - 1), t.client))
    return std::nullopt;
  if (!constant_time_equal(token.substr(second + 1), mac(t.run, t.client))) return std::nullopt;
  return t;
}

}  // namespace

std::optional<TokenTarget> verify_tracking_token(const std::string& key, const std::string& token) {
  return parse_token(token, [&](std::int64_t run, std::int64_t client) { return mac_hex(key, run, client); });
}

std::string verp_address(std::string_view return_path, const std::string& key, std::int64_t run,
                         std::int64_t client) {
  const std::size_t at = return_path.rfind('@');
  return fmt::format("{}+{}.{}.{}{}", return_path.substr(0, at), run, client, verp_mac(key, run, client),
                     return_path.substr(at));
}

std::optional<TokenTarget> verp_target(const std::string& key, std::string_view address) {
  const std::size_t at = address.rfind('@');
  if (at == std::string_view::npos) return std::nullopt;
  const std::string_view local = address.substr(0, at);
  const std::size_t plus = local.rfind('+');
  if (plus == std::string_view::npos) return std::nullopt;
  return parse_token(local.substr(plus + 1),
                     [&](std::int64_t run, std::int64_t client) { return verp_mac(key, run, client); });
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
