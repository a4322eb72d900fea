#pragma once
// Unguessable per-recipient tokens for the open pixel, click and unsubscribe links (SPEC §3).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mailer/store/database.hpp"

namespace mailer {

// The installation's HMAC key, created on first use and kept in the database.
std::string tracking_key(store::Database& db);

// "<run>.<client>.<hmac>" for one recipient of one run.
std::string tracking_token(const std::string& key, std::int64_t run, std::int64_t client);

struct TokenTarget {
  std::int64_t run = 0;
  std::int64_t client = 0;
};
// The run and client of a genuine token; nullopt for a forged or malformed one.
std::optional<TokenTarget> verify_tracking_token(const std::string& key, const std::string& token);

// VERP (send.return_path, SPEC §5): the envelope sender of one recipient's copy in a run,
// "<local>+<run>.<client>.<mac>@<domain>" for the return path "<local>@<domain>". The bounce
// comes back to that address, so it names its attempt whatever the report quotes of the
// original. The MAC is 80 bits (kVerpMacBytes) so that the local part keeps within RFC 5321's
// 64 octets with a local part of up to kMaxReturnPathLocal.
inline constexpr std::size_t kVerpMacBytes = 10;
inline constexpr std::size_t kMaxReturnPathLocal = 20;
std::string verp_address(std::string_view return_path, const std::string& key, std::int64_t run,
                         std::int64_t client);
// The run and client of a genuine VERP address (any local part and domain), or nullopt.
std::optional<TokenTarget> verp_target(const std::string& key, std::string_view address);

// The URLs `mailer serve` answers, under tracking.base_url (no trailing slash):
//   <base>/o/<token>.gif                the open pixel
//   <base>/c/<token>/<sig>?u=<url>      a click; <sig> signs token and URL, so that the
//                                       server is no open redirect for anyone's links
//   <base>/u/<token>                    unsubscribe (GET: a page; POST: at once)
std::string open_pixel_url(std::string_view base, std::string_view token);
std::string click_url(std::string_view base, const std::string& key, std::string_view token,
                      std::string_view url);
std::string unsubscribe_url(std::string_view base, std::string_view token);

// The <sig> of a click URL, and whether a given one is genuine (constant time).
std::string click_signature(const std::string& key, std::string_view token, std::string_view url);
bool verify_click_signature(const std::string& key, std::string_view token, std::string_view url,
                            std::string_view signature);

// RFC 3986 percent-encoding of every octet outside the unreserved set, and its inverse
// (nullopt for a malformed escape).
std::string percent_encode(std::string_view text);
std::optional<std::string> percent_decode(std::string_view text);

}  // namespace mailer
