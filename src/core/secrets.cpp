#include "mailer/core/secrets.hpp"

#include <sodium.h>

#include <fmt/format.h>

#include "mailer/base/encoding.hpp"
#include "mailer/base/error.hpp"

namespace mailer {

std::string random_token() { return random_hex(32); }

std::string hash_token(const std::string& token) {
  sodium_ready();
  unsigned char out[32];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(token.data()), token.size(),
                     nullptr, 0);
  return to_hex(out, sizeof out);
}

std::string random_code() {
  sodium_ready();
  return fmt::format("{:06}", randombytes_uniform(1000000));
}

std::string hash_password(const std::string& password) {
  sodium_ready();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    throw Error(Errc::internal, "out of memory while hashing the password");
  return out;
}

bool password_matches(const std::string& hash, const std::string& password) {
  sodium_ready();
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string installation_secret(store::Database& db, std::string_view name) {
  db.settings().insert_if_missing(name, random_token());
  auto value = db.settings().find(name);
  if (!value) throw Error(Errc::internal, fmt::format("setting {} vanished", name));
  return *value;
}

std::string keyed_hash(const std::string& key_hex, std::string_view text) {
  sodium_ready();
  unsigned char key[crypto_auth_hmacsha256_KEYBYTES] = {};
  std::size_t key_size = 0;
  if (sodium_hex2bin(key, sizeof key, key_hex.data(), key_hex.size(), nullptr, &key_size, nullptr) != 0 ||
      key_size != sizeof key)
    throw Error(Errc::internal, "an installation secret is not 32 bytes of hex");
  unsigned char out[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, key, sizeof key);
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  crypto_auth_hmacsha256_final(&state, out);
  sodium_memzero(key, sizeof key);
  return to_hex(out, sizeof out);
}

bool same_hash(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace mailer
