#pragma once
// Secrets: random tokens and codes, password hashes (argon2id), and hashes keyed with an
// installation secret (libsodium). Nothing here is ever printed.
#include <string>
#include <string_view>

#include "mailer/store/database.hpp"

namespace mailer {

// A random token (32 bytes, hex) and the form it is stored in (BLAKE2b-256, hex).
std::string random_token();
std::string hash_token(const std::string& token);

// A random six-digit code, uniformly drawn.
std::string random_code();

// The argon2id string of a password, and whether a password matches one.
std::string hash_password(const std::string& password);
bool password_matches(const std::string& hash, const std::string& password);

// The installation secret `name` (32 random bytes, hex) from table setting, created on first
// use; concurrent first uses agree on one.
std::string installation_secret(store::Database& db, std::string_view name);

// HMAC-SHA-256 of `text` under the hex key `key_hex`, hex.
std::string keyed_hash(const std::string& key_hex, std::string_view text);

// Compares two hashes in constant time.
bool same_hash(std::string_view a, std::string_view b);

}  // namespace mailer
