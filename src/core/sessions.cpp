#include "mailer/core/sessions.hpp"

#include <fmt/format.h>

#include "mailer/base/error.hpp"
#include "mailer/core/secrets.hpp"
#include "mailer/base/validate.hpp"

namespace mailer {
namespace {

Time oldest_live(Time now, int max_age_days) { return now - static_cast<Time>(max_age_days) * 24 * 3600; }

}  // namespace

std::string login(store::Db& db, const std::string& email_in, const std::string& password, Time now,
                  int max_age_days) {
  const Error denied(Errc::permission, "login failed: wrong email or password, or the account is not active",
                     "a new account must be verified first: mailer user verify EMAIL CODE");
  std::string email;
  try {
    email = normalize_email(email_in, "EMAIL");
  } catch (const Error&) {
    throw denied;
  }
  auto st = db.prepare("SELECT id, password_hash, verified, active FROM account WHERE email = ?");
  st.bind(1, email);
  if (!st.step()) {
    hash_password(password);  // same time whether or not the account exists
    throw denied;
  }
  std::int64_t id = st.int64(0);
  std::string hash = st.text(1);
  bool ok = password_matches(hash, password) && st.int64(2) != 0 && st.int64(3) != 0;
  st.reset();
  if (!ok) throw denied;
  std::string token = random_token();
  store::Transaction tx(db);
  db.prepare("DELETE FROM session WHERE created_at <= ?").bind(1, oldest_live(now, max_age_days)).run();
  db.prepare("INSERT INTO session (user_id, token_hash, created_at) VALUES (?, ?, ?)")
      .bind_all(id, hash_token(token), now)
      .run();
  tx.commit();
  return token;
}

std::optional<User> logout(store::Db& db, const std::string& token) {
  store::Transaction tx(db);
  auto st = db.prepare(fmt::format(
      "SELECT {} FROM account WHERE id = (SELECT user_id FROM session WHERE token_hash = ?)", kUserColumns));
  st.bind(1, hash_token(token));
  std::optional<User> user;
  if (st.step()) user = read_user(st);
  st.reset();
  db.prepare("DELETE FROM session WHERE token_hash = ?").bind(1, hash_token(token)).run();
  tx.commit();
  return user;
}

std::optional<User> session_user(store::Db& db, const std::string& token, Time now, int max_age_days) {
  auto st = db.prepare(fmt::format(
      "SELECT {} FROM account WHERE id = (SELECT user_id FROM session WHERE token_hash = ? AND created_at > ?)",
      kUserColumns));
  st.bind_all(hash_token(token), oldest_live(now, max_age_days));
  if (!st.step()) return std::nullopt;
  User u = read_user(st);
  if (!u.verified || !u.active) return std::nullopt;
  return u;
}

}  // namespace mailer
