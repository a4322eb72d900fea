// The database layer and the records on an in-memory SQLite (SPEC §1, §2, §4).
#include <doctest/doctest.h>

#include <sqlite3.h>

#include <unistd.h>

#include <sys/stat.h>
#include <cstdio>
#include <filesystem>
#include <functional>

#include "mailer/base/error.hpp"
#include "mailer/core/client_import.hpp"
#include "mailer/core/clients.hpp"
#include "mailer/core/groups.hpp"
#include "mailer/core/mailings.hpp"
#include "mailer/core/messages.hpp"
#include "mailer/core/users.hpp"
#include "mailer/store/sqlite/db.hpp"

using namespace mailer;

namespace {

Errc code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return Errc::ok;
}

std::int64_t count(store::Db& db, const char* table) {
  auto st = db.prepare(std::string("SELECT count(*) FROM \"") + table + "\"");
  st.step();
  return st.int64(0);
}

struct Fixture {
  store::Db db{":memory:"};
  Time now = 1'790'000'000;
  User ann = create_superuser(db, "ann@example.com", "correct horse", now);
  Actor owner{};
  Actor stranger{};
  Actor manager{};
  Fixture() {
    db.exec(
        "INSERT INTO account (email, password_hash, verified, active, roles, created_at) VALUES "
        "('olga@example.com', 'x', 1, 1, 'user', 0), ('petr@example.com', 'x', 1, 1, 'user', 0), "
        "('mila@example.com', 'x', 1, 1, 'user,manager', 0)");
    owner = Actor{2, static_cast<unsigned>(Role::user)};
    stranger = Actor{3, static_cast<unsigned>(Role::user)};
    manager = Actor{4, parse_roles("user,manager")};
  }
};

}  // namespace

TEST_CASE("store: migrations bring a new database to the latest schema version") {
  store::Db db(":memory:");
  CHECK(db.schema_version() == store::latest_schema_version());
  CHECK(store::latest_schema_version() >= 1);
  auto st = db.prepare("PRAGMA foreign_keys");
  st.step();
  CHECK(st.int64(0) == 1);
}

TEST_CASE("store: a database file mailer creates is mode 0600 and in WAL mode (SPEC §4)") {
  auto dir = std::filesystem::temp_directory_path() / ("mailer-store-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "m.db").string();
  {
    store::Db db(path);
    auto st = db.prepare("PRAGMA journal_mode");
    st.step();
    CHECK(st.text(0) == "wal");
  }
  struct stat sb {};
  REQUIRE(::stat(path.c_str(), &sb) == 0);
  CHECK((sb.st_mode & 0777) == 0600);
  {
    store::Db again(path);  // reopening an up-to-date database migrates nothing
    CHECK(again.schema_version() == store::latest_schema_version());
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("store: a database from a newer mailer is refused with a configuration error") {
  auto dir = std::filesystem::temp_directory_path() / ("mailer-store-new-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "m.db").string();
  {
    store::Db db(path);
    db.exec("PRAGMA user_version = 999");
  }
  CHECK(code_of([&] { store::Db db(path); }) == Errc::config);
  std::filesystem::remove_all(dir);
}

TEST_CASE("store: a transaction that is not committed leaves nothing behind") {
  store::Db db(":memory:");
  {
    store::Transaction tx(db);
    db.exec("INSERT INTO account (email, password_hash, created_at) VALUES ('a@b.cd', 'x', 0)");
  }
  CHECK(count(db, "account") == 0);
}

TEST_CASE("clients: email is unique per owner regardless of case (SPEC §1)") {
  Fixture f;
  add_client(f.db, f.owner, "Ivan@Example.com", "Иван", "", {}, f.now);
  CHECK(code_of([&] { add_client(f.db, f.owner, "ivan@example.COM", "", "", {}, f.now); }) == Errc::data);
  CHECK(code_of([&] { add_client(f.db, f.stranger, "ivan@example.com", "", "", {}, f.now); }) == Errc::ok);
  CHECK(count(f.db, "client") == 2);
}

TEST_CASE(
    "clients: an invalid address or a name with a line break is refused and nothing is written (SPEC §1)") {
  Fixture f;
  CHECK(code_of([&] { add_client(f.db, f.owner, "not-an-address", "", "", {"g"}, f.now); }) == Errc::data);
  CHECK(code_of([&] { add_client(f.db, f.owner, "a@b.ru", "Иван\r\nBcc: x@y.z", "", {"g"}, f.now); }) ==
        Errc::data);
  CHECK(count(f.db, "client") == 0);
  CHECK(count(f.db, "group") == 0);
}

TEST_CASE(
    "clients: a plain user gets not found for another's client, a manager reads but cannot edit (SPEC §4)") {
  Fixture f;
  Client c = add_client(f.db, f.owner, "ivan@example.com", "Иван", "", {}, f.now);
  CHECK(code_of([&] { show_client(f.db, f.stranger, c.id); }) == Errc::not_found);
  CHECK(code_of([&] { show_client(f.db, f.manager, c.id); }) == Errc::ok);
  CHECK(code_of([&] {
          edit_client(f.db, f.manager, c.id, ClientChanges{std::nullopt, "X", std::nullopt});
        }) == Errc::permission);
  CHECK(code_of([&] { remove_clients(f.db, f.stranger, {c.id}); }) == Errc::not_found);
  CHECK(code_of([&] { remove_clients(f.db, f.ann.actor(), {c.id}); }) == Errc::ok);
}

TEST_CASE("clients: rm removes all of the ids or none (SPEC §2)") {
  Fixture f;
  Client a = add_client(f.db, f.owner, "a@example.com", "", "", {}, f.now);
  Client b = add_client(f.db, f.stranger, "b@example.com", "", "", {}, f.now);
  CHECK(code_of([&] { remove_clients(f.db, f.owner, {a.id, b.id}); }) == Errc::not_found);
  CHECK(count(f.db, "client") == 2);
}

TEST_CASE("clients: import merges duplicates and counts added, updated, skipped (SPEC §2)") {
  Fixture f;
  add_client(f.db, f.owner, "old@example.com", "Старое имя", "", {}, f.now);
  add_client(f.db, f.owner, "same@example.com", "Тот же", "", {}, f.now);
  std::string csv =
      "\xEF\xBB\xBF"
      "email;name;comment\r\n"
      "new@example.com;Новый;\r\n"
      "OLD@example.com;Новое имя;\r\n"
      "same@example.com;Тот же;\r\n"
      "new@example.com;;VIP\r\n";
  ImportSummary s =
      import_clients(f.db, f.owner, csv, "clients.csv", std::string("Покупатели"), false, f.now);
  CHECK(s.rows == 4);
  CHECK(s.added == 1);
  // Each row counts once, by what it did: the second new@ row added the comment (issue 7.10).
  CHECK(s.updated == 2);
  CHECK(s.already_there == 1);
  auto members = group_members(f.db, f.owner, "Покупатели");
  CHECK(members.size() == 3);
  ClientFilter filter;
  filter.search = "new@";
  auto found = list_clients(f.db, f.owner, filter);
  REQUIRE(found.size() == 1);
  CHECK(found[0].name == "Новый");
  CHECK(found[0].comment == "VIP");
}

TEST_CASE("clients: one bad row imports nothing and names its line (SPEC §2)") {
  Fixture f;
  std::string csv = "email,name\nok@example.com,Ок\nbroken,Плохой\nalso-ok@example.com,\n";
  try {
    import_clients(f.db, f.owner, csv, "c.csv", std::nullopt, false, f.now);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.code() == Errc::data);
    CHECK(std::string(e.what()).find("line 3") != std::string::npos);
  }
  CHECK(count(f.db, "client") == 0);
  ImportSummary s = import_clients(f.db, f.owner, csv, "c.csv", std::nullopt, true, f.now);
  CHECK(s.added == 2);
  CHECK(s.invalid == 1);
}

TEST_CASE("clients: export writes the header and Cyrillic fields as CSV") {
  Fixture f;
  add_client(f.db, f.owner, "a@example.com", "Анна, Петровна", "", {}, f.now);
  std::string out = export_clients(f.db, f.owner, std::nullopt);
  CHECK(out == "email,name,comment\r\na@example.com,\"Анна, Петровна\",\r\n");
}

TEST_CASE("mailings: an end before the start is refused (SPEC §3)") {
  Fixture f;
  Message m = add_message(f.db, f.owner, "Привет, {{name}}", "Текст", std::nullopt, f.now);
  add_group(f.db, f.owner, "g", f.now);
  MailingInput in;
  in.message = m.id;
  in.groups = std::vector<std::string>{"g"};
  in.start_at = f.now + 3600;
  in.end_at = f.now;
  CHECK(code_of([&] { add_mailing(f.db, f.owner, in, f.now); }) == Errc::data);
  CHECK(count(f.db, "mailing") == 0);
}

TEST_CASE("mailings: another's message, client or group cannot be used (SPEC §4)") {
  Fixture f;
  Message theirs = add_message(f.db, f.stranger, "S", "B", std::nullopt, f.now);
  Message mine = add_message(f.db, f.owner, "S", "B", std::nullopt, f.now);
  Client their_client = add_client(f.db, f.stranger, "x@example.com", "", "", {"their"}, f.now);
  MailingInput in;
  in.message = theirs.id;
  in.clients = std::vector<Id>{};
  in.groups = std::vector<std::string>{};
  in.clients->push_back(their_client.id);
  CHECK(code_of([&] { add_mailing(f.db, f.owner, in, f.now); }) == Errc::not_found);
  in.message = mine.id;
  CHECK(code_of([&] { add_mailing(f.db, f.owner, in, f.now); }) == Errc::not_found);
  in.clients.reset();
  in.groups = std::vector<std::string>{"their"};
  CHECK(code_of([&] { add_mailing(f.db, f.owner, in, f.now); }) == Errc::not_found);
  CHECK(count(f.db, "mailing") == 0);
}

TEST_CASE("mailings: stop finishes, disable is for managers (SPEC §2, §4)") {
  Fixture f;
  Message m = add_message(f.db, f.owner, "S", "B", std::nullopt, f.now);
  Client c = add_client(f.db, f.owner, "c@example.com", "", "", {}, f.now);
  MailingInput in;
  in.message = m.id;
  in.clients = std::vector<Id>{c.id};
  in.every = schedule::Every::weekly;
  Mailing mailing = add_mailing(f.db, f.owner, in, f.now);
  CHECK(mailing.status == schedule::Status::created);
  CHECK(mailing.next_run_at == f.now);
  CHECK(code_of([&] { set_mailing_enabled(f.db, f.owner, mailing.id, false); }) == Errc::permission);
  CHECK_FALSE(set_mailing_enabled(f.db, f.manager, mailing.id, false).enabled);
  CHECK(stop_mailing(f.db, f.owner, mailing.id, f.now).status == schedule::Status::finished);
}

TEST_CASE("messages: a broken template is refused when written, not at send time (SPEC §1)") {
  Fixture f;
  CHECK(code_of([&] { add_message(f.db, f.owner, "Привет, {{name", "B", std::nullopt, f.now); }) ==
        Errc::data);
  CHECK(code_of([&] { add_message(f.db, f.owner, "S\nBcc: x@y.z", "B", std::nullopt, f.now); }) ==
        Errc::data);
  CHECK(count(f.db, "message") == 0);
}

TEST_CASE("users: a verification code is single-use and dies after 5 wrong tries (SPEC §4)") {
  Fixture f;
  std::string sent;
  Notify notify = [&](const std::string&, const std::string&, const std::string& body) { sent = body; };
  register_user(f.db, notify, "new@example.com", "Нина", "long enough", f.now);
  auto pos = sent.find("mailer user verify new@example.com ");
  REQUIRE(pos != std::string::npos);
  std::string code = sent.substr(pos + std::string("mailer user verify new@example.com ").size(), 6);
  std::string wrong = code == "000000" ? "111111" : "000000";
  CHECK(code_of([&] { login(f.db, "new@example.com", "long enough", f.now); }) == Errc::permission);
  for (int i = 0; i < 5; ++i)
    CHECK(code_of([&] { verify_user(f.db, "new@example.com", wrong, f.now); }) == Errc::data);
  CHECK(code_of([&] { verify_user(f.db, "new@example.com", code, f.now); }) == Errc::data);
}

TEST_CASE(
    "users: verification works once, expires after 24 hours, and says nothing of unknown accounts (SPEC "
    "§4)") {
  Fixture f;
  std::string sent;
  Notify notify = [&](const std::string&, const std::string&, const std::string& body) { sent = body; };
  register_user(f.db, notify, "v@example.com", "", "long enough", f.now);
  std::string code = sent.substr(sent.find("verify v@example.com ") + 21, 6);
  CHECK(code_of([&] { verify_user(f.db, "v@example.com", code, f.now + 25 * 3600); }) == Errc::data);
  register_user(f.db, notify, "v@example.com", "", "long enough", f.now);
  code = sent.substr(sent.find("verify v@example.com ") + 21, 6);
  CHECK(code_of([&] { verify_user(f.db, "v@example.com", code, f.now + 3600); }) == Errc::ok);
  CHECK(code_of([&] { verify_user(f.db, "v@example.com", code, f.now + 3600); }) == Errc::data);
  CHECK(code_of([&] { verify_user(f.db, "nobody@example.com", code, f.now); }) == Errc::data);
  std::string token = login(f.db, "v@example.com", "long enough", f.now);
  CHECK(session_user(f.db, token, f.now).has_value());
}

TEST_CASE("users: passwords and tokens are stored only hashed (SPEC §4)") {
  Fixture f;
  std::string token = login(f.db, "ann@example.com", "correct horse", f.now);
  auto st = f.db.prepare("SELECT password_hash FROM account WHERE email = 'ann@example.com'");
  REQUIRE(st.step());
  CHECK(st.text(0).rfind("$argon2id$", 0) == 0);
  auto s = f.db.prepare("SELECT token_hash FROM session");
  REQUIRE(s.step());
  CHECK(s.text(0) != token);
  CHECK(s.text(0) == hash_token(token));
}

TEST_CASE("users: blocking ends the user's sessions and stops logins (SPEC §4)") {
  Fixture f;
  std::string sent;
  Notify notify = [&](const std::string&, const std::string&, const std::string& body) { sent = body; };
  register_user(f.db, notify, "b@example.com", "", "long enough", f.now);
  verify_user(f.db, "b@example.com", sent.substr(sent.find("verify b@example.com ") + 21, 6), f.now);
  std::string token = login(f.db, "b@example.com", "long enough", f.now);
  CHECK(code_of([&] { set_user_active(f.db, f.owner, "b@example.com", false); }) == Errc::permission);
  set_user_active(f.db, f.manager, "b@example.com", false);
  CHECK_FALSE(session_user(f.db, token, f.now).has_value());
  CHECK(code_of([&] { login(f.db, "b@example.com", "long enough", f.now); }) == Errc::permission);
}

TEST_CASE(
    "users: a password reset code changes the password and ends sessions - a wrong one does not (SPEC §4)") {
  Fixture f;
  std::string sent;
  Notify notify = [&](const std::string&, const std::string&, const std::string& body) { sent = body; };
  std::string token = login(f.db, "ann@example.com", "correct horse", f.now);
  request_password_reset(f.db, notify, "ann@example.com", f.now);
  std::string code = sent.substr(sent.find("--code ") + 7, 6);
  CHECK(code_of([&] { reset_password(f.db, "ann@example.com", code, "new password!", f.now + 2 * 3600); }) ==
        Errc::data);  // expired after an hour
  request_password_reset(f.db, notify, "ann@example.com", f.now);
  code = sent.substr(sent.find("--code ") + 7, 6);
  reset_password(f.db, "ann@example.com", code, "new password!", f.now + 60);
  CHECK_FALSE(session_user(f.db, token, f.now).has_value());
  CHECK(code_of([&] { login(f.db, "ann@example.com", "correct horse", f.now); }) == Errc::permission);
  CHECK(code_of([&] { login(f.db, "ann@example.com", "new password!", f.now); }) == Errc::ok);
  sent.clear();
  request_password_reset(f.db, notify, "ghost@example.com", f.now);
  CHECK(sent.empty());
}
