#pragma once
// Unguessable per-recipient tokens for the open pixel, click and unsubscribe links (SPEC §3).
#include <cstdint>
#include <optional>
#include <string>

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

}  // namespace mailer
