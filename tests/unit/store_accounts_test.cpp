// Contract: the account repository of every store backend (accounts, codes, code events,
// sessions; SPEC §1 "user", §4).
#include <doctest/doctest.h>

#include "store_backends.hpp"

using namespace mailer;

namespace {

NewAccount account(const std::string& email, Time created_at = 100) {
  NewAccount a;
  a.email = email;
  a.name = "Anna";
  a.password_hash = "hash";
  a.verified = false;
  a.active = true;
  a.roles = "user";
  a.created_at = created_at;
  return a;
}

}  // namespace

TEST_CASE_TEMPLATE("accounts store: an inserted account reads back by id and by email", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend backend;
  store::AccountStore& accounts = backend.db().accounts();
  NewAccount a = account("anna@example.com", 42);
  a.roles = "user,manager";
  const Id id = accounts.insert(a);
  CHECK(id > 0);
  for (const auto& found : {accounts.find(id), accounts.find_by_email("anna@example.com")}) {
    REQUIRE(found);
    CHECK(found->id == id);
    CHECK(found->email == "anna@example.com");
    CHECK(found->name == "Anna");
    CHECK_FALSE(found->verified);
    CHECK(found->active);
    CHECK(found->roles == "user,manager");
    CHECK(found->created_at == 42);
  }
  CHECK_FALSE(accounts.find(id + 1));
  CHECK_FALSE(accounts.find_by_email("bob@example.com"));
}

TEST_CASE_TEMPLATE("accounts store: an email differing only in ASCII case is the same account", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend backend;
  store::AccountStore& accounts = backend.db().accounts();
  const Id id = accounts.insert(account("Anna@Example.com"));
  auto found = accounts.find_by_email("aNNA@example.COM");
  REQUIRE(found);
  CHECK(found->id == id);
  CHECK(found->email == "Anna@Example.com");  // kept as typed
  CHECK_THROWS(accounts.insert(account("anna@example.com")));
}

TEST_CASE_TEMPLATE("accounts store: non-ASCII letters are not folded, as before the key existed", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend backend;
  store::AccountStore& accounts = backend.db().accounts();
  const Id upper = accounts.insert(account("ОЛЕГ@example.com"));
  const Id lower = accounts.insert(account("олег@example.com"));
  CHECK(upper != lower);
  CHECK(accounts.find_by_email("ОЛЕГ@EXAMPLE.COM")->id == upper);
  CHECK(accounts.find_by_email("олег@example.com")->id == lower);
  CHECK(store::account_email_key("ОЛЕГ@Example.COM") == "ОЛЕГ@example.com");
}

TEST_CASE_TEMPLATE("accounts store: an account written without its key is found by its email", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend backend;
  const Id id = backend.seed_account("Hand@Example.com");
  auto found = backend.db().accounts().find_by_email("hand@example.com");
  REQUIRE(found);
  CHECK(found->id == id);
  CHECK_THROWS(backend.seed_account("HAND@example.com"));
}

TEST_CASE_TEMPLATE("accounts store: the list has every account, oldest first", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend backend;
  store::AccountStore& accounts = backend.db().accounts();
  CHECK(accounts.list().empty());
  const Id first = accounts.insert(account("b@example.com"));
  const Id second = accounts.insert(account("a@example.com"));
  auto all = accounts.list();
  REQUIRE(all.size() == 2);
  CHECK(all[0].id == first);
  CHECK(all[1].id == second);
  CHECK(all[1].email == "a@example.com");
}

TEST_CASE_TEMPLATE("accounts store: a renewed registration has the new name, password and start", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend backend;
  store::AccountStore& accounts = backend.db().accounts();
  const Id id = accounts.insert(account("anna@example.com", 100));
  accounts.renew_registration(id, "Анна", "new-hash", 200);
  auto found = accounts.find(id);
  CHECK(found->name == "Анна");
  CHECK(found->created_at == 200);
  CHECK_FALSE(found->verified);
  CHECK(accounts.credentials("anna@example.com")->password_hash == "new-hash");
}

TEST_CASE_TEMPLATE("accounts store: a verified account stays verified", Backend, MAILER_STORE_BACKENDS) {
  Backend backend;
  store::AccountStore& accounts = backend.db().accounts();
  const Id id = accounts.insert(account("anna@example.com"));
  const Id other = accounts.insert(account("bob@example.com"));
  accounts.set_verified(id);
  CHECK(accounts.find(id)->verified);
  CHECK_FALSE(accounts.find(other)->verified);
  accounts.set_verified(id);
  CHECK(accounts.find(id)->verified);
}

TEST_CASE_TEMPLATE("accounts store: a new password hash replaces the old one", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend backend;
  store::AccountStore& accounts = backend.db().accounts();
  const Id id = accounts.insert(account("anna@example.com"));
  accounts.set_password_hash(id, "second");
  CHECK(accounts.credentials("anna@example.com")->password_hash == "second");
}

TEST_CASE_TEMPLATE("accounts store: blocking and unblocking an account", Backend, MAILER_STORE_BACKENDS) {
  Backend backend;
  store::AccountStore& accounts = backend.db().accounts();
  const Id id = accounts.insert(account("anna@example.com"));
  accounts.set_active(id, false);
  CHECK_FALSE(accounts.find(id)->active);
  CHECK_FALSE(accounts.credentials("anna@example.com")->active);
  accounts.set_active(id, true);
  CHECK(accounts.find(id)->active);
}

TEST_CASE_TEMPLATE("accounts store: roles are stored as given", Backend, MAILER_STORE_BACKENDS) {
  Backend backend;
  store::AccountStore& accounts = backend.db().accounts();
  const Id id = accounts.insert(account("anna@example.com"));
  accounts.set_roles(id, "user,content-manager,superuser");
  CHECK(accounts.find(id)->roles == "user,content-manager,superuser");
}

TEST_CASE_TEMPLATE("accounts store: credentials are found in any ASCII case of the email", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend backend;
  store::AccountStore& accounts = backend.db().accounts();
  NewAccount a = account("anna@example.com");
  a.verified = true;
  const Id id = accounts.insert(a);
  auto c = accounts.credentials("ANNA@Example.com");
  REQUIRE(c);
  CHECK(c->id == id);
  CHECK(c->password_hash == "hash");
  CHECK(c->verified);
  CHECK(c->active);
  CHECK_FALSE(accounts.credentials("bob@example.com"));
}

TEST_CASE_TEMPLATE("accounts store: a code put twice for one purpose replaces the first", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend backend;
  store::AccountStore& accounts = backend.db().accounts();
  const Id id = accounts.insert(account("anna@example.com"));
  accounts.put_code(id, "verify", "h1", 1000, 5);
  accounts.put_code(id, "reset", "r1", 500, 5);
  accounts.put_code(id, "verify", "h2", 2000, 4);
  auto code = accounts.find_code(id, "verify");
  REQUIRE(code);
  CHECK(code->code_hash == "h2");
  CHECK(code->expires_at == 2000);
  CHECK(code->tries_left == 4);
  CHECK(accounts.find_code(id, "reset")->code_hash == "r1");
}

TEST_CASE_TEMPLATE("accounts store: an account without a code of that purpose has none", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend backend;
  store::AccountStore& accounts = backend.db().accounts();
  const Id id = accounts.insert(account("anna@example.com"));
  accounts.put_code(id, "reset", "r1", 500, 5);
  CHECK_FALSE(accounts.find_code(id, "verify"));
  CHECK_FALSE(accounts.find_code(id + 1, "reset"));
}

TEST_CASE_TEMPLATE("accounts store: a used code is gone", Backend, MAILER_STORE_BACKENDS) {
  Backend backend;
  store::AccountStore& accounts = backend.db().accounts();
  const Id id = accounts.insert(account("anna@example.com"));
  accounts.put_code(id, "verify", "h", 1000, 5);
  accounts.delete_code(accounts.find_code(id, "verify")->id);
  CHECK_FALSE(accounts.find_code(id, "verify"));
}

TEST_CASE_TEMPLATE("accounts store: a wrong try costs a try, and the last try or expiry kills the code",
                   Backend, MAILER_STORE_BACKENDS) {
  Backend backend;
  store::AccountStore& accounts = backend.db().accounts();
  const Id id = accounts.insert(account("anna@example.com"));
  accounts.put_code(id, "verify", "h", 1000, 2);
  const Id code = accounts.find_code(id, "verify")->id;
  accounts.spend_code_try(code, 900);
  REQUIRE(accounts.find_code(id, "verify"));
  CHECK(accounts.find_code(id, "verify")->tries_left == 1);
  accounts.spend_code_try(code, 900);
  CHECK_FALSE(accounts.find_code(id, "verify"));

  accounts.put_code(id, "reset", "r", 1000, 5);
  accounts.spend_code_try(accounts.find_code(id, "reset")->id, 1001);
  CHECK_FALSE(accounts.find_code(id, "reset"));
}

TEST_CASE_TEMPLATE("accounts store: codes that expired before now are deleted, others kept", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend backend;
  store::AccountStore& accounts = backend.db().accounts();
  const Id id = accounts.insert(account("anna@example.com"));
  accounts.put_code(id, "verify", "v", 999, 5);
  accounts.put_code(id, "reset", "r", 1000, 5);
  accounts.delete_codes_expired_before(1000);
  CHECK_FALSE(accounts.find_code(id, "verify"));
  CHECK(accounts.find_code(id, "reset"));
}

TEST_CASE_TEMPLATE("accounts store: code events are counted per subject and kind within the period", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend backend;
  store::AccountStore& accounts = backend.db().accounts();
  CHECK(accounts.count_code_events("s", "request", 0, 1000) == 0);
  accounts.add_code_event("s", "request", 100, 0);
  accounts.add_code_event("s", "request", 200, 0);
  accounts.add_code_event("s", "wrong", 200, 0);
  accounts.add_code_event("t", "request", 200, 0);
  CHECK(accounts.count_code_events("s", "request", 0, 1000) == 2);
  CHECK(accounts.count_code_events("s", "wrong", 0, 1000) == 1);
  // after < at <= until
  CHECK(accounts.count_code_events("s", "request", 100, 200) == 1);
  CHECK(accounts.count_code_events("s", "request", 0, 199) == 1);
}

TEST_CASE_TEMPLATE("accounts store: adding a code event forgets the events no period needs", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend backend;
  store::AccountStore& accounts = backend.db().accounts();
  accounts.add_code_event("s", "request", 100, 0);
  accounts.add_code_event("s", "request", 200, 0);
  accounts.add_code_event("t", "wrong", 300, 200);
  CHECK(accounts.count_code_events("s", "request", -1, 1000) == 0);
  CHECK(accounts.count_code_events("t", "wrong", -1, 1000) == 1);
}

TEST_CASE_TEMPLATE("accounts store: a session gives its account while young enough", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend backend;
  store::AccountStore& accounts = backend.db().accounts();
  const Id id = accounts.insert(account("anna@example.com"));
  accounts.add_session(id, "token-hash", 500);
  auto found = accounts.session_account("token-hash", 499);
  REQUIRE(found);
  CHECK(found->id == id);
  CHECK(found->email == "anna@example.com");
  CHECK_FALSE(accounts.session_account("token-hash", 500));
  CHECK(accounts.session_account("token-hash", std::nullopt));
  CHECK_FALSE(accounts.session_account("other-hash", std::nullopt));
}

TEST_CASE_TEMPLATE("accounts store: an ended session gives no account, others stay", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend backend;
  store::AccountStore& accounts = backend.db().accounts();
  const Id id = accounts.insert(account("anna@example.com"));
  accounts.add_session(id, "one", 500);
  accounts.add_session(id, "two", 500);
  accounts.delete_session("one");
  CHECK_FALSE(accounts.session_account("one", std::nullopt));
  CHECK(accounts.session_account("two", std::nullopt));
}

TEST_CASE_TEMPLATE("accounts store: ending an account's sessions leaves other accounts'", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend backend;
  store::AccountStore& accounts = backend.db().accounts();
  const Id anna = accounts.insert(account("anna@example.com"));
  const Id bob = accounts.insert(account("bob@example.com"));
  accounts.add_session(anna, "a1", 500);
  accounts.add_session(anna, "a2", 600);
  accounts.add_session(bob, "b1", 500);
  accounts.delete_sessions_of(anna);
  CHECK_FALSE(accounts.session_account("a1", std::nullopt));
  CHECK_FALSE(accounts.session_account("a2", std::nullopt));
  CHECK(accounts.session_account("b1", std::nullopt)->id == bob);
}

TEST_CASE_TEMPLATE("accounts store: old sessions of every account are deleted, younger ones kept", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend backend;
  store::AccountStore& accounts = backend.db().accounts();
  const Id anna = accounts.insert(account("anna@example.com"));
  const Id bob = accounts.insert(account("bob@example.com"));
  accounts.add_session(anna, "a", 500);
  accounts.add_session(bob, "b", 400);
  accounts.add_session(bob, "c", 501);
  accounts.delete_sessions_created_until(500);
  CHECK_FALSE(accounts.session_account("a", std::nullopt));
  CHECK_FALSE(accounts.session_account("b", std::nullopt));
  CHECK(accounts.session_account("c", std::nullopt));
}

TEST_CASE_TEMPLATE("accounts store: an account's writes roll back with its transaction", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend backend;
  store::Database& db = backend.db();
  {
    store::Transaction tx(db);
    const Id id = db.accounts().insert(account("anna@example.com"));
    db.accounts().add_session(id, "s", 500);
  }
  CHECK_FALSE(db.accounts().find_by_email("anna@example.com"));
  CHECK_FALSE(db.accounts().session_account("s", std::nullopt));
}
