#pragma once
// Sessions: a login's random token, stored only hashed, valid for session.max_age_days.
#include <optional>
#include <string>

#include "mailer/base/time.hpp"
#include "mailer/core/accounts.hpp"
#include "mailer/store/database.hpp"

namespace mailer {

constexpr int kDefaultSessionMaxAgeDays = 30;

// Checks the password and opens a session; returns the token (only its hash is stored).
// Wrong password, unknown, unverified or blocked account: Error{permission}. Deletes the
// sessions older than `max_age_days` of every user.
std::string login(store::Database& db, const std::string& email, const std::string& password, Time now,
                  int max_age_days = kDefaultSessionMaxAgeDays);

// Ends the session of this token; returns whose it was (nullopt when unknown).
std::optional<User> logout(store::Database& db, const std::string& token);

// The user of a live session: known token, younger than `max_age_days`, a user who may log
// in; nullopt otherwise.
std::optional<User> session_user(store::Database& db, const std::string& token, Time now,
                                 int max_age_days = kDefaultSessionMaxAgeDays);

}  // namespace mailer
