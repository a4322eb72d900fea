#pragma once
// Plain records of accounts, their one-time codes and sessions, as the store reads and writes
// them (SPEC §1 "user"). Core turns them into its User and Actor.
#include <string>

#include "mailer/base/ids.hpp"
#include "mailer/base/time.hpp"

namespace mailer {

// An account as stored; `roles` is the stored comma-separated list ("user,superuser").
struct AccountRecord {
  Id id = 0;
  std::string email;
  std::string name;
  bool verified = false;
  bool active = true;
  std::string roles = "user";
  Time created_at = 0;
};

// An account to create; the store keys its email for the case-insensitive uniqueness.
struct NewAccount {
  std::string email;
  std::string name;
  std::string password_hash;
  bool verified = false;
  bool active = true;
  std::string roles = "user";
  Time created_at = 0;
};

// What a login checks: the password hash and whether the account may log in.
struct AccountCredentials {
  Id id = 0;
  std::string password_hash;
  bool verified = false;
  bool active = false;
};

// A verification or reset code as stored: only its keyed hash.
struct StoredCode {
  Id id = 0;
  std::string code_hash;
  Time expires_at = 0;
  int tries_left = 0;
};

}  // namespace mailer
