#include "mailer/core/accounts.hpp"

#include <fmt/format.h>

#include "codes.hpp"
#include "mailer/base/error.hpp"
#include "mailer/base/validate.hpp"
#include "mailer/core/notices.hpp"
#include "mailer/core/secrets.hpp"

namespace mailer {

User user_from_record(const AccountRecord& record) {
  User u;
  u.id = record.id;
  u.email = record.email;
  u.name = record.name;
  u.verified = record.verified;
  u.active = record.active;
  u.roles = parse_roles(record.roles);
  u.created_at = record.created_at;
  return u;
}

namespace {

std::optional<User> find_by_email(store::Database& db, const std::string& email) {
  auto record = db.accounts().find_by_email(email);
  if (!record) return std::nullopt;
  return user_from_record(*record);
}

User require_user(store::Database& db, const std::string& email) {
  auto u = find_by_email(db, email);
  if (!u) throw Error(Errc::not_found, fmt::format("user {} not found", email));
  return *u;
}

// The email as typed when it is not a valid address: then it matches no account, and the
// answer is the same as for any wrong code.
std::string normalized_or_as_is(const std::string& email) {
  try {
    return normalize_email(email, "EMAIL");
  } catch (const Error&) {
    return email;
  }
}

// Checks the code and, when right, runs `apply` for the user in the same transaction. A wrong
// code is committed as a wrong try before the error. The error is the same whether or not the
// account exists (SPEC §4).
template <class Apply>
void with_code(store::Database& db, const std::string& email_in, codes::Purpose purpose,
               const std::string& code, Time now, Apply apply) {
  const std::string email = normalized_or_as_is(email_in);
  store::Transaction tx(db);
  auto u = find_by_email(db, email);
  if (!codes::consume(db, email, u ? std::optional(u->id) : std::nullopt, purpose, code, now)) {
    tx.commit();
    throw Error(Errc::data, "invalid or expired code",
                purpose == codes::Purpose::verify
                    ? "register again to get a new code; after 5 wrong tries, wait an hour"
                    : "ask for a new code; after 5 wrong tries, wait an hour");
  }
  apply(u->id);
  tx.commit();
}

}  // namespace

void check_password(const std::string& password) {
  if (password.size() < 8) throw Error(Errc::data, "password: too short", "use at least 8 characters");
  if (password.size() > 1024) throw Error(Errc::data, "password: too long", "use at most 1024 characters");
  check_utf8(password, "password");
}

User create_superuser(store::Database& db, const std::string& email_in, const std::string& password,
                      Time now) {
  std::string email = normalize_email(email_in, "EMAIL");
  check_password(password);
  std::string hash = hash_password(password);
  store::Transaction tx(db);
  if (find_by_email(db, email))
    throw Error(Errc::data, fmt::format("user {} already exists", email), NextStep::grant_superuser);
  NewAccount account;
  account.email = email;
  account.password_hash = hash;
  account.verified = true;
  account.active = true;
  account.roles = format_roles(static_cast<unsigned>(Role::user) | static_cast<unsigned>(Role::superuser));
  account.created_at = now;
  db.accounts().insert(account);
  User u = *find_by_email(db, email);
  tx.commit();
  return u;
}

Registration register_user(store::Database& db, const Notify& notify, const std::string& email_in,
                           const std::string& name, const std::string& password, Time now) {
  std::string email = normalize_email(email_in, "EMAIL");
  check_header_value(name, "name");
  check_password(password);
  std::string hash = hash_password(password);
  store::Transaction tx(db);
  auto existing = find_by_email(db, email);
  if (existing && existing->verified)
    throw Error(Errc::data, fmt::format("user {} is already registered", existing->email),
                NextStep::reset_password);
  codes::count_request(db, email, codes::Purpose::verify, now);
  // While the first registration's code may still be used, a second registrant cannot put
  // their password in: whoever reads the mailbox would verify the squatter's account.
  const bool pending = existing && now < existing->created_at + codes::kVerifyLifetime;
  if (existing && !pending) {
    db.accounts().renew_registration(existing->id, name, hash, now);
  } else if (!existing) {
    NewAccount account;
    account.email = email;
    account.name = name;
    account.password_hash = hash;
    account.verified = false;
    account.active = true;
    account.roles = format_roles(static_cast<unsigned>(Role::user));
    account.created_at = now;
    db.accounts().insert(account);
  }
  User u = *find_by_email(db, email);
  std::string code = codes::issue(db, u.id, codes::Purpose::verify, now);
  Notice notice =
      verification_notice(u.email, u.name, code, pending ? std::optional(u.created_at) : std::nullopt);
  // Send before committing: when the mail cannot go out, nothing is registered.
  notify(u.email, notice.subject, notice.body);
  tx.commit();
  return {u, pending};
}

void verify_user(store::Database& db, const std::string& email, const std::string& code, Time now) {
  with_code(db, email, codes::Purpose::verify, code, now,
            [&](std::int64_t user_id) { db.accounts().set_verified(user_id); });
}

void request_password_reset(store::Database& db, const Notify& notify, const std::string& email_in,
                            Time now) {
  std::string email = normalize_email(email_in, "EMAIL");
  store::Transaction tx(db);
  codes::count_request(db, email, codes::Purpose::reset, now);
  auto u = find_by_email(db, email);
  if (u && u->active) {
    Notice notice = reset_notice(u->email, codes::issue(db, u->id, codes::Purpose::reset, now));
    notify(u->email, notice.subject, notice.body);
  }
  tx.commit();
}

void reset_password(store::Database& db, const std::string& email, const std::string& code,
                    const std::string& new_password, Time now) {
  check_password(new_password);
  std::string hash = hash_password(new_password);
  with_code(db, email, codes::Purpose::reset, code, now, [&](std::int64_t user_id) {
    db.accounts().set_password_hash(user_id, hash);
    db.accounts().delete_sessions_of(user_id);
  });
}

std::optional<User> find_user(store::Database& db, std::int64_t id) {
  auto record = db.accounts().find(id);
  if (!record) return std::nullopt;
  return user_from_record(*record);
}

std::vector<User> list_users(store::Database& db, const Actor& actor) {
  require_moderator(actor, "user list");
  std::vector<User> users;
  for (const AccountRecord& record : db.accounts().list()) users.push_back(user_from_record(record));
  return users;
}

User show_user(store::Database& db, const Actor& actor, const std::string& email) {
  require_moderator(actor, "user show");
  return require_user(db, email);
}

User set_user_active(store::Database& db, const Actor& actor, const std::string& email, bool active) {
  require_moderator(actor, active ? "user unblock" : "user block");
  store::Transaction tx(db);
  User u = require_user(db, email);
  if (u.id == actor.id && !active)
    throw Error(Errc::data, "you cannot block yourself", "ask another manager");
  if (u.actor().has(Role::superuser) && !actor.has(Role::superuser))
    throw Error(Errc::permission, fmt::format("permission denied: {} is a superuser", u.email));
  db.accounts().set_active(u.id, active);
  if (!active) db.accounts().delete_sessions_of(u.id);
  u.active = active;
  tx.commit();
  return u;
}

User change_role(store::Database& db, const Actor& actor, const std::string& email, Role role, bool grant) {
  require_superuser(actor, grant ? "user grant" : "user revoke");
  if (role == Role::user)
    throw Error(Errc::data, "every user has the role 'user'", "grant manager, content-manager or superuser");
  store::Transaction tx(db);
  User u = require_user(db, email);
  if (!grant && role == Role::superuser && u.id == actor.id)
    throw Error(Errc::data, "you cannot revoke your own superuser role", "ask another superuser");
  unsigned roles = grant ? (u.roles | static_cast<unsigned>(role)) : (u.roles & ~static_cast<unsigned>(role));
  db.accounts().set_roles(u.id, format_roles(roles));
  u.roles = roles;
  tx.commit();
  return u;
}

}  // namespace mailer
