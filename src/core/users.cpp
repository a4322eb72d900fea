#include "mailer/users.hpp"

#include <sodium.h>

#include <fmt/format.h>

#include "mailer/error.hpp"
#include "mailer/validate.hpp"

namespace mailer {
namespace {

constexpr Time kVerifyLifetime = 24 * 3600;
constexpr Time kResetLifetime = 3600;
constexpr int kCodeTries = 5;

void init_sodium() {
  if (sodium_init() < 0) throw Error(Errc::internal, "libsodium failed to initialise");
}

std::string hex(const unsigned char* data, std::size_t size) {
  std::string out(size * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, size);
  out.pop_back();
  return out;
}

std::string hash_password(const std::string& password) {
  init_sodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    throw Error(Errc::internal, "out of memory while hashing the password");
  return out;
}

bool password_matches(const std::string& hash, const std::string& password) {
  init_sodium();
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

// Codes are hashed with the user id and purpose so that a leaked table does not list them.
std::string hash_code(std::int64_t user_id, const std::string& purpose, const std::string& code) {
  return hash_token(fmt::format("{}:{}:{}", user_id, purpose, code));
}

std::string new_code() {
  init_sodium();
  return fmt::format("{:06}", randombytes_uniform(1000000));
}

const char* kUserColumns = "id, email, name, verified, active, roles, created_at";

User read_user(const store::Statement& st) {
  User u;
  u.id = st.int64(0);
  u.email = st.text(1);
  u.name = st.text(2);
  u.verified = st.int64(3) != 0;
  u.active = st.int64(4) != 0;
  u.roles = parse_roles(st.text(5));
  u.created_at = st.int64(6);
  return u;
}

std::optional<User> find_by_email(store::Db& db, const std::string& email) {
  auto st = db.prepare(fmt::format("SELECT {} FROM user WHERE email = ?", kUserColumns));
  st.bind(1, email);
  if (!st.step()) return std::nullopt;
  return read_user(st);
}

User require_user(store::Db& db, const std::string& email) {
  auto u = find_by_email(db, email);
  if (!u) throw Error(Errc::not_found, fmt::format("user {} not found", email));
  return *u;
}

void store_code(store::Db& db, std::int64_t user_id, const std::string& purpose, const std::string& code,
                Time expires) {
  db.prepare(
        "INSERT INTO user_code (user_id, purpose, code_hash, expires_at, tries_left) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (user_id, purpose) DO UPDATE SET code_hash = excluded.code_hash, "
        "expires_at = excluded.expires_at, tries_left = excluded.tries_left")
      .bind_all(user_id, purpose, hash_code(user_id, purpose, code), expires, kCodeTries)
      .run();
}

// Consumes the code when right; counts a wrong try otherwise. The error is the same whether
// or not the account exists (SPEC §4).
void consume_code(store::Db& db, const std::string& email, const std::string& purpose, const std::string& code,
                  Time now, std::int64_t& user_id) {
  const Error invalid(Errc::data, "invalid or expired code",
                      purpose == "verify" ? "register again to get a new code" : "ask for a new code");
  auto u = find_by_email(db, email);
  if (!u) throw invalid;
  auto st = db.prepare("SELECT id, code_hash, expires_at, tries_left FROM user_code WHERE user_id = ? AND purpose = ?");
  st.bind_all(u->id, purpose);
  if (!st.step()) throw invalid;
  std::int64_t code_id = st.int64(0);
  std::string stored = st.text(1);
  Time expires = st.int64(2);
  std::int64_t tries = st.int64(3);
  if (expires < now || tries <= 0) {
    db.prepare("DELETE FROM user_code WHERE id = ?").bind(1, code_id).run();
    throw invalid;
  }
  std::string given = hash_code(u->id, purpose, code);
  if (given.size() != stored.size() || sodium_memcmp(given.data(), stored.data(), given.size()) != 0) {
    if (tries <= 1)
      db.prepare("DELETE FROM user_code WHERE id = ?").bind(1, code_id).run();
    else
      db.prepare("UPDATE user_code SET tries_left = tries_left - 1 WHERE id = ?").bind(1, code_id).run();
    throw invalid;
  }
  db.prepare("DELETE FROM user_code WHERE id = ?").bind(1, code_id).run();
  user_id = u->id;
}

}  // namespace

std::string random_token() {
  init_sodium();
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  return hex(bytes, sizeof bytes);
}

std::string hash_token(const std::string& token) {
  init_sodium();
  unsigned char out[32];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(token.data()), token.size(), nullptr, 0);
  return hex(out, sizeof out);
}

void check_password(const std::string& password) {
  if (password.size() < 8) throw Error(Errc::data, "password: too short", "use at least 8 characters");
  if (password.size() > 1024) throw Error(Errc::data, "password: too long", "use at most 1024 characters");
  check_utf8(password, "password");
}

User create_superuser(store::Db& db, const std::string& email_in, const std::string& password, Time now) {
  std::string email = normalize_email(email_in, "EMAIL");
  check_password(password);
  std::string hash = hash_password(password);
  store::Transaction tx(db);
  if (find_by_email(db, email))
    throw Error(Errc::data, fmt::format("user {} already exists", email), "use `mailer user grant EMAIL superuser`");
  db.prepare("INSERT INTO user (email, name, password_hash, verified, active, roles, created_at) "
             "VALUES (?, '', ?, 1, 1, 'user,superuser', ?)")
      .bind_all(email, hash, now)
      .run();
  User u = *find_by_email(db, email);
  tx.commit();
  return u;
}

User register_user(store::Db& db, const Notify& notify, const std::string& email_in, const std::string& name,
                   const std::string& password, Time now) {
  std::string email = normalize_email(email_in, "EMAIL");
  check_header_value(name, "--name");
  check_password(password);
  std::string hash = hash_password(password);
  std::string code = new_code();
  store::Transaction tx(db);
  auto existing = find_by_email(db, email);
  if (existing && existing->verified)
    throw Error(Errc::data, fmt::format("user {} is already registered", email),
                "log in, or use `mailer user reset-password`");
  if (existing) {
    db.prepare("UPDATE user SET name = ?, password_hash = ? WHERE id = ?").bind_all(name, hash, existing->id).run();
  } else {
    db.prepare("INSERT INTO user (email, name, password_hash, verified, active, roles, created_at) "
               "VALUES (?, ?, ?, 0, 1, 'user', ?)")
        .bind_all(email, name, hash, now)
        .run();
  }
  User u = *find_by_email(db, email);
  store_code(db, u.id, "verify", code, now + kVerifyLifetime);
  // Send before committing: when the mail cannot go out, nothing is registered.
  notify(email, "Подтверждение регистрации / Confirm your registration",
         fmt::format("Здравствуйте{}!\n\nЧтобы подтвердить адрес, выполните команду:\n"
                     "To verify your address, run:\n\n    mailer user verify {} {}\n\n"
                     "Код действует 24 часа. The code is valid for 24 hours.\n",
                     name.empty() ? "" : ", " + name, email, code));
  tx.commit();
  return u;
}

void verify_user(store::Db& db, const std::string& email_in, const std::string& code, Time now) {
  std::string email = email_in;
  try {
    email = normalize_email(email_in, "EMAIL");
  } catch (const Error&) {
  }
  store::Transaction tx(db);
  std::int64_t user_id = 0;
  try {
    consume_code(db, email, "verify", code, now, user_id);
  } catch (const Error&) {
    tx.commit();  // keep the counted try
    throw;
  }
  db.prepare("UPDATE user SET verified = 1 WHERE id = ?").bind(1, user_id).run();
  tx.commit();
}

void request_password_reset(store::Db& db, const Notify& notify, const std::string& email_in, Time now) {
  std::string email = normalize_email(email_in, "EMAIL");
  store::Transaction tx(db);
  auto u = find_by_email(db, email);
  if (!u || !u->active) return;
  std::string code = new_code();
  store_code(db, u->id, "reset", code, now + kResetLifetime);
  notify(u->email, "Сброс пароля / Password reset",
         fmt::format("Чтобы задать новый пароль, выполните команду:\nTo set a new password, run:\n\n"
                     "    mailer user reset-password {} --code {} --password-stdin\n\n"
                     "Код действует 1 час. The code is valid for 1 hour.\n",
                     u->email, code));
  tx.commit();
}

void reset_password(store::Db& db, const std::string& email_in, const std::string& code,
                    const std::string& new_password, Time now) {
  check_password(new_password);
  std::string email = email_in;
  try {
    email = normalize_email(email_in, "EMAIL");
  } catch (const Error&) {
  }
  std::string hash = hash_password(new_password);
  store::Transaction tx(db);
  std::int64_t user_id = 0;
  try {
    consume_code(db, email, "reset", code, now, user_id);
  } catch (const Error&) {
    tx.commit();
    throw;
  }
  db.prepare("UPDATE user SET password_hash = ? WHERE id = ?").bind_all(hash, user_id).run();
  db.prepare("DELETE FROM session WHERE user_id = ?").bind(1, user_id).run();
  tx.commit();
}

std::string login(store::Db& db, const std::string& email_in, const std::string& password, Time now) {
  const Error denied(Errc::permission, "login failed: wrong email or password, or the account is not active",
                     "a new account must be verified first: mailer user verify EMAIL CODE");
  std::string email;
  try {
    email = normalize_email(email_in, "EMAIL");
  } catch (const Error&) {
    throw denied;
  }
  auto st = db.prepare("SELECT id, password_hash, verified, active FROM user WHERE email = ?");
  st.bind(1, email);
  if (!st.step()) {
    hash_password(password);  // same time whether or not the account exists
    throw denied;
  }
  std::int64_t id = st.int64(0);
  std::string hash = st.text(1);
  bool ok = password_matches(hash, password) && st.int64(2) != 0 && st.int64(3) != 0;
  if (!ok) throw denied;
  std::string token = random_token();
  db.prepare("INSERT INTO session (user_id, token_hash, created_at) VALUES (?, ?, ?)")
      .bind_all(id, hash_token(token), now)
      .run();
  return token;
}

void logout(store::Db& db, const std::string& token) {
  db.prepare("DELETE FROM session WHERE token_hash = ?").bind(1, hash_token(token)).run();
}

std::optional<User> session_user(store::Db& db, const std::string& token) {
  auto st = db.prepare(
      "SELECT u.id, u.email, u.name, u.verified, u.active, u.roles, u.created_at FROM session s "
      "JOIN user u ON u.id = s.user_id WHERE s.token_hash = ?");
  st.bind(1, hash_token(token));
  if (!st.step()) return std::nullopt;
  User u = read_user(st);
  if (!u.verified || !u.active) return std::nullopt;
  return u;
}

std::optional<User> find_user(store::Db& db, std::int64_t id) {
  auto st = db.prepare(fmt::format("SELECT {} FROM user WHERE id = ?", kUserColumns));
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  return read_user(st);
}

std::vector<User> list_users(store::Db& db, const Actor& actor) {
  require_moderator(actor, "user list");
  std::vector<User> users;
  auto st = db.prepare(fmt::format("SELECT {} FROM user ORDER BY id", kUserColumns));
  while (st.step()) users.push_back(read_user(st));
  return users;
}

User show_user(store::Db& db, const Actor& actor, const std::string& email) {
  require_moderator(actor, "user show");
  return require_user(db, email);
}

User set_user_active(store::Db& db, const Actor& actor, const std::string& email, bool active) {
  require_moderator(actor, active ? "user unblock" : "user block");
  store::Transaction tx(db);
  User u = require_user(db, email);
  if (u.id == actor.id && !active)
    throw Error(Errc::data, "you cannot block yourself", "ask another manager");
  if (u.actor().has(Role::superuser) && !actor.has(Role::superuser))
    throw Error(Errc::permission, fmt::format("permission denied: {} is a superuser", u.email));
  db.prepare("UPDATE user SET active = ? WHERE id = ?").bind_all(active, u.id).run();
  if (!active) db.prepare("DELETE FROM session WHERE user_id = ?").bind(1, u.id).run();
  u.active = active;
  tx.commit();
  return u;
}

User change_role(store::Db& db, const Actor& actor, const std::string& email, Role role, bool grant) {
  require_superuser(actor, grant ? "user grant" : "user revoke");
  if (role == Role::user) throw Error(Errc::data, "every user has the role 'user'", "grant manager, content-manager or superuser");
  store::Transaction tx(db);
  User u = require_user(db, email);
  if (!grant && role == Role::superuser && u.id == actor.id)
    throw Error(Errc::data, "you cannot revoke your own superuser role", "ask another superuser");
  unsigned roles = grant ? (u.roles | static_cast<unsigned>(role)) : (u.roles & ~static_cast<unsigned>(role));
  db.prepare("UPDATE user SET roles = ? WHERE id = ?").bind_all(format_roles(roles), u.id).run();
  u.roles = roles;
  tx.commit();
  return u;
}

}  // namespace mailer
