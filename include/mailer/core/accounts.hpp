#pragma once
// Accounts: registration by emailed code, password reset, roles and blocking (SPEC §1, §4).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "mailer/base/records/accounts.hpp"
#include "mailer/base/time.hpp"
#include "mailer/core/access.hpp"
#include "mailer/store/database.hpp"

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
using Notify =
    std::function<void(const std::string& to, const std::string& subject, const std::string& body)>;

// Rejects passwords shorter than 8 characters or longer than 1024 (Error{data}).
void check_password(const std::string& password);

// Creates a verified, active superuser (whoever can write the database may do so).
User create_superuser(store::Database& db, const std::string& email, const std::string& password, Time now);

struct Registration {
  User user;
  // The address had a registration waiting for its code (less than 24 h old): that one keeps
  // its name and password, and this request only sent a new code.
  bool already_pending = false;
};

// Creates an unverified user and emails a verification code (valid 24 h).
// An email that exists and is verified fails (Error{data}). One with a registration younger
// than 24 h keeps its first name and password (a second registrant cannot replace them before
// the mailbox's owner verifies) and gets a new code; an older unverified one is registered
// anew. At most 5 codes an hour per address (Error{temp_failure}).
Registration register_user(store::Database& db, const Notify& notify, const std::string& email,
                           const std::string& name, const std::string& password, Time now);

// Marks the user verified when the code is right. A wrong, used or expired code (or an unknown
// email) gives the same Error{data, "invalid or expired code"}; 5 wrong tries kill the code,
// and 5 wrong tries within an hour refuse every code of the address until they are an hour old.
void verify_user(store::Database& db, const std::string& email, const std::string& code, Time now);

// Emails a reset code (valid 1 h) when the account exists; says nothing either way. At most 5
// requests an hour per address, whether or not it has an account (Error{temp_failure}).
void request_password_reset(store::Database& db, const Notify& notify, const std::string& email, Time now);

// Sets a new password when the reset code is right and ends all the user's sessions. Codes
// are refused as by verify_user().
void reset_password(store::Database& db, const std::string& email, const std::string& code,
                    const std::string& new_password, Time now);

std::vector<User> list_users(store::Database& db, const Actor& actor);
User show_user(store::Database& db, const Actor& actor, const std::string& email);
// Blocking deactivates the account and ends its sessions.
User set_user_active(store::Database& db, const Actor& actor, const std::string& email, bool active);
User change_role(store::Database& db, const Actor& actor, const std::string& email, Role role, bool grant);

// The user with this id (for owner names in listings).
std::optional<User> find_user(store::Database& db, std::int64_t id);

// The user of a stored account (its role list parsed).
User user_from_record(const AccountRecord& record);

}  // namespace mailer
