#include "accounts.hpp"

#include <string>

#include "mailer/base/error.hpp"

namespace mailer::store::sql {
namespace {

// The columns read_account() reads, in its order.
constexpr const char* kSelectAccount =
    "SELECT id, email, name, verified, active, roles, created_at FROM account ";

AccountRecord read_account(const Statement& st) {
  AccountRecord a;
  a.id = st.int64(0);
  a.email = st.text(1);
  a.name = st.text(2);
  a.verified = st.int64(3) != 0;
  a.active = st.int64(4) != 0;
  a.roles = st.text(5);
  a.created_at = st.int64(6);
  return a;
}

std::optional<AccountRecord> one_account(Statement& st) {
  if (!st.step()) return std::nullopt;
  return read_account(st);
}

}  // namespace

std::optional<AccountRecord> SqlAccountStore::find_by_email(std::string_view email) {
  auto st = db_.prepare(std::string(kSelectAccount) + "WHERE email_key = ?");
  st.bind(1, account_email_key(email));
  return one_account(st);
}

std::optional<AccountRecord> SqlAccountStore::find(Id id) {
  auto st = db_.prepare(std::string(kSelectAccount) + "WHERE id = ?");
  st.bind(1, id);
  return one_account(st);
}

std::vector<AccountRecord> SqlAccountStore::list() {
  auto st = db_.prepare(std::string(kSelectAccount) + "ORDER BY id");
  std::vector<AccountRecord> out;
  while (st.step()) out.push_back(read_account(st));
  return out;
}

Id SqlAccountStore::insert(const NewAccount& a) {
  auto st = db_.prepare(
      "INSERT INTO account (email, email_key, name, password_hash, verified, active, roles, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
  st.bind_all(a.email, account_email_key(a.email), a.name, a.password_hash, a.verified, a.active, a.roles,
              a.created_at);
  const Id id = st.returned_id();
  while (st.step()) {
  }
  return id;
}

void SqlAccountStore::renew_registration(Id id, std::string_view name, std::string_view password_hash,
                                         Time created_at) {
  db_.prepare("UPDATE account SET name = ?, password_hash = ?, created_at = ? WHERE id = ?")
      .bind_all(name, password_hash, created_at, id)
      .run();
}

void SqlAccountStore::set_verified(Id id) {
  db_.prepare("UPDATE account SET verified = TRUE WHERE id = ?").bind(1, id).run();
}

void SqlAccountStore::set_password_hash(Id id, std::string_view password_hash) {
  db_.prepare("UPDATE account SET password_hash = ? WHERE id = ?").bind_all(password_hash, id).run();
}

void SqlAccountStore::set_active(Id id, bool active) {
  db_.prepare("UPDATE account SET active = ? WHERE id = ?").bind_all(active, id).run();
}

void SqlAccountStore::set_roles(Id id, std::string_view roles) {
  db_.prepare("UPDATE account SET roles = ? WHERE id = ?").bind_all(roles, id).run();
}

std::optional<AccountCredentials> SqlAccountStore::credentials(std::string_view email) {
  auto st = db_.prepare("SELECT id, password_hash, verified, active FROM account WHERE email_key = ?");
  st.bind(1, account_email_key(email));
  if (!st.step()) return std::nullopt;
  return AccountCredentials{st.int64(0), st.text(1), st.int64(2) != 0, st.int64(3) != 0};
}

void SqlAccountStore::put_code(Id account, std::string_view purpose, std::string_view code_hash,
                               Time expires_at, int tries_left) {
  db_.prepare(
         "INSERT INTO user_code (user_id, purpose, code_hash, expires_at, tries_left) VALUES (?, ?, ?, ?, ?) "
         "ON CONFLICT (user_id, purpose) DO UPDATE SET code_hash = excluded.code_hash, "
         "expires_at = excluded.expires_at, tries_left = excluded.tries_left")
      .bind_all(account, purpose, code_hash, expires_at, tries_left)
      .run();
}

std::optional<StoredCode> SqlAccountStore::find_code(Id account, std::string_view purpose) {
  auto st = db_.prepare(
      "SELECT id, code_hash, expires_at, tries_left FROM user_code WHERE user_id = ? AND purpose = ?");
  st.bind_all(account, purpose);
  if (!st.step()) return std::nullopt;
  return StoredCode{st.int64(0), st.text(1), st.int64(2), static_cast<int>(st.int64(3))};
}

void SqlAccountStore::delete_code(Id code) {
  db_.prepare("DELETE FROM user_code WHERE id = ?").bind(1, code).run();
}

void SqlAccountStore::spend_code_try(Id code, Time now) {
  db_.prepare("UPDATE user_code SET tries_left = tries_left - 1 WHERE id = ?").bind(1, code).run();
  db_.prepare("DELETE FROM user_code WHERE id = ? AND (tries_left <= 0 OR expires_at < ?)")
      .bind_all(code, now)
      .run();
}

void SqlAccountStore::delete_codes_expired_before(Time now) {
  db_.prepare("DELETE FROM user_code WHERE expires_at < ?").bind(1, now).run();
}

int SqlAccountStore::count_code_events(std::string_view subject, std::string_view kind, Time after,
                                       Time until) {
  auto st =
      db_.prepare("SELECT count(*) FROM code_event WHERE subject = ? AND kind = ? AND at > ? AND at <= ?");
  st.bind_all(subject, kind, after, until);
  st.step();
  return static_cast<int>(st.int64(0));
}

void SqlAccountStore::add_code_event(std::string_view subject, std::string_view kind, Time at,
                                     Time forget_until) {
  db_.prepare("DELETE FROM code_event WHERE at <= ?").bind(1, forget_until).run();
  db_.prepare("INSERT INTO code_event (subject, kind, at) VALUES (?, ?, ?)")
      .bind_all(subject, kind, at)
      .run();
}

void SqlAccountStore::add_session(Id account, std::string_view token_hash, Time created_at) {
  db_.prepare("INSERT INTO session (user_id, token_hash, created_at) VALUES (?, ?, ?)")
      .bind_all(account, token_hash, created_at)
      .run();
}

std::optional<AccountRecord> SqlAccountStore::session_account(std::string_view token_hash,
                                                              std::optional<Time> created_after) {
  if (!created_after) {
    auto st = db_.prepare(std::string(kSelectAccount) +
                          "WHERE id = (SELECT user_id FROM session WHERE token_hash = ?)");
    st.bind(1, token_hash);
    return one_account(st);
  }
  auto st = db_.prepare(std::string(kSelectAccount) +
                        "WHERE id = (SELECT user_id FROM session WHERE token_hash = ? AND created_at > ?)");
  st.bind_all(token_hash, *created_after);
  return one_account(st);
}

void SqlAccountStore::delete_session(std::string_view token_hash) {
  db_.prepare("DELETE FROM session WHERE token_hash = ?").bind(1, token_hash).run();
}

void SqlAccountStore::delete_sessions_of(Id account) {
  db_.prepare("DELETE FROM session WHERE user_id = ?").bind(1, account).run();
}

void SqlAccountStore::delete_sessions_created_until(Time oldest) {
  db_.prepare("DELETE FROM session WHERE created_at <= ?").bind(1, oldest).run();
}

}  // namespace mailer::store::sql
