#include "mailer/core/sessions.hpp"

#include "mailer/base/error.hpp"
#include "mailer/base/validate.hpp"
#include "mailer/core/secrets.hpp"

namespace mailer {
namespace {

Time oldest_live(Time now, int max_age_days) { return now - static_cast<Time>(max_age_days) * 24 * 3600; }

}  // namespace

std::string login(store::Database& db, const std::string& email_in, const std::string& password, Time now,
                  int max_age_days) {
  const Error denied(Errc::permission, "login failed: wrong email or password, or the account is not active",
                     NextStep::verify_account);
  std::string email;
  try {
    email = normalize_email(email_in, "EMAIL");
  } catch (const Error&) {
    throw denied;
  }
  auto account = db.accounts().credentials(email);
  if (!account) {
    hash_password(password);  // same time whether or not the account exists
    throw denied;
  }
  bool ok = password_matches(account->password_hash, password) && account->verified && account->active;
  if (!ok) throw denied;
  std::string token = random_token();
  store::Transaction tx(db);
  db.accounts().delete_sessions_created_until(oldest_live(now, max_age_days));
  db.accounts().add_session(account->id, hash_token(token), now);
  tx.commit();
  return token;
}

std::optional<User> logout(store::Database& db, const std::string& token) {
  store::Transaction tx(db);
  const std::string hash = hash_token(token);
  std::optional<User> user;
  if (auto record = db.accounts().session_account(hash, std::nullopt)) user = user_from_record(*record);
  db.accounts().delete_session(hash);
  tx.commit();
  return user;
}

std::optional<User> session_user(store::Database& db, const std::string& token, Time now, int max_age_days) {
  auto record = db.accounts().session_account(hash_token(token), oldest_live(now, max_age_days));
  if (!record) return std::nullopt;
  User u = user_from_record(*record);
  if (!u.verified || !u.active) return std::nullopt;
  return u;
}

}  // namespace mailer
