#pragma once
// Users, registration by emailed code, password reset, sessions and roles (SPEC §1, §4).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "mailer/access.hpp"
#include "mailer/db.hpp"
#include "mailer/time.hpp"

namespace mailer {

struct User {
  std::int64_t id = 0;
  std::string email;
  std::string name;
  bool verified = false;
  bool active = true;
  unsigned roles = static_cast<unsigned>(Role::user);
  Time created_at = 0;
  Actor actor() const { return Actor{id, roles}; }
};

// How the core sends a notification email (verification, reset): to, subject, text body.
// The CLI passes one that goes through the configured SMTP server; tests pass a fake.
using Notify = std::function<void(const std::string& to, const std::string& subject, const std::string& body)>;

// Rejects passwords shorter than 8 characters or longer than 1024 (Error{data}).
void check_password(const std::string& password);

// Creates a verified, active superuser (whoever can write the database may do so).
User create_superuser(store::Db& db, const std::string& email, const std::string& password, Time now);

// Creates an unverified user and emails a verification code (valid 24 h).
// Registering an email that exists and is verified fails (Error{data}); an unverified one is
// re-registered with a new password and a fresh code.
User register_user(store::Db& db, const Notify& notify, const std::string& email, const std::string& name,
                   const std::string& password, Time now);

// Marks the user verified when the code is right. A wrong, used or expired code (or an unknown
// email) gives the same Error{data, "invalid or expired code"}; 5 wrong tries kill the code.
void verify_user(store::Db& db, const std::string& email, const std::string& code, Time now);

// Emails a reset code (valid 1 h) when the account exists; says nothing either way.
void request_password_reset(store::Db& db, const Notify& notify, const std::string& email, Time now);

// Sets a new password when the reset code is right and ends all the user's sessions.
void reset_password(store::Db& db, const std::string& email, const std::string& code,
                    const std::string& new_password, Time now);

// Checks the password and opens a session; returns the token (only its hash is stored).
// Wrong password, unknown, unverified or blocked account: Error{permission}.
std::string login(store::Db& db, const std::string& email, const std::string& password, Time now);

// Ends the session of this token (nothing when unknown).
void logout(store::Db& db, const std::string& token);

// The user of a live session; nullopt when the token is unknown or the user can't log in.
std::optional<User> session_user(store::Db& db, const std::string& token);

std::vector<User> list_users(store::Db& db, const Actor& actor);
User show_user(store::Db& db, const Actor& actor, const std::string& email);
// Blocking deactivates the account and ends its sessions.
User set_user_active(store::Db& db, const Actor& actor, const std::string& email, bool active);
User change_role(store::Db& db, const Actor& actor, const std::string& email, Role role, bool grant);

// The user with this id (for owner names in listings).
std::optional<User> find_user(store::Db& db, std::int64_t id);

// Random token (hex) and its storage hash.
std::string random_token();
std::string hash_token(const std::string& token);

}  // namespace mailer
