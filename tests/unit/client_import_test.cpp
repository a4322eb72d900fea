// client import in the core: headers, --columns, counts and notes, all-or-nothing, and the
// batched inserts against duplicates within and across batches (SPEC §2; issues 7.5, 7.10, 7.12).
#include <doctest/doctest.h>

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "mailer/base/error.hpp"
#include "mailer/core/client_import.hpp"
#include "mailer/core/clients.hpp"
#include "mailer/store/sqlite/db.hpp"
#include "test_support.hpp"

using namespace mailer;
using mailer::test::error_of;

namespace {

struct Fixture {
  store::Db db{":memory:"};
  Time now = 1'790'000'000;
  Actor owner{1, static_cast<unsigned>(Role::user)};
  Fixture() {
    db.exec(
        "INSERT INTO account (email, password_hash, verified, active, roles, created_at) VALUES "
        "('olga@example.com', 'x', 1, 1, 'user', 0)");
  }
  ImportSummary import(const std::string& text, ImportOptions options = {}) {
    csv::StringSource source(text);
    csv::Reader reader(source);
    return import_clients(db, owner, reader, options, now);
  }
  std::int64_t count(const std::string& sql) {
    auto st = db.prepare(sql);
    st.step();
    return st.int64(0);
  }
};

}  // namespace

TEST_CASE("import: header aliases, unknown and empty trailing columns (issue 7.5)") {
  Fixture f;
  ImportSummary s = f.import("E-Mail;Ф.И.О.;Телефон;Примечание;;\r\nivan@example.com;Иван;+7;опт;;\r\n");
  CHECK(s.added == 1);
  CHECK(s.header);
  CHECK(s.unknown_columns == std::vector<std::string>{"Телефон"});
  auto c = list_clients(f.db, f.owner, {});
  REQUIRE(c.size() == 1);
  CHECK(c[0].name == "Иван");
  CHECK(c[0].comment == "опт");
}

TEST_CASE("import: --columns maps by position, an empty entry skips (issue 7.5)") {
  Fixture f;
  ImportOptions o;
  o.columns = ",email,,имя";
  ImportSummary s = f.import("1;a@example.com;x;Анна\n2;b@example.com;y;Борис\n", o);
  CHECK(s.added == 2);
  CHECK_FALSE(s.header);
  o.columns = "email,email";
  CHECK(error_of([&] { f.import("a@example.com\n", o); }).code() == Errc::usage);
  o.columns = "name";
  CHECK(error_of([&] { f.import("a@example.com\n", o); }).code() == Errc::usage);
}

TEST_CASE("import: each row counts once by what it did, and notes come in file order (issue 7.10)") {
  Fixture f;
  add_client(f.db, f.owner, "old@example.com", "Старое", "", {}, f.now);
  std::vector<std::string> notes;
  ImportOptions o;
  o.skip_invalid = true;
  o.on_row = [&](const RowNote& n) {
    notes.push_back(std::to_string(n.line) + " " + std::string(to_string(n.outcome)));
  };
  ImportSummary s = f.import(
      "email,name\nnew@example.com,Новый\nOLD@example.com,Новое\nbad,\nnew@example.com,\nNEW@example.com,"
      "Другое\n",
      o);
  CHECK(s.rows == 5);
  CHECK(s.added == 1);
  CHECK(s.updated == 2);
  CHECK(s.already_there == 1);
  CHECK(s.invalid == 1);
  CHECK(notes ==
        std::vector<std::string>{"2 added", "3 updated", "4 invalid", "5 already there", "6 updated"});
}

TEST_CASE("import: duplicates within a batch, across batches and against the database (issue 7.12)") {
  Fixture f;
  add_client(f.db, f.owner, "c150@example.com", "Был", "", {}, f.now);
  std::string text = "email;name\n";
  for (int i = 0; i < 300; ++i)
    text += "c" + std::to_string(i) + "@example.com;Имя " + std::to_string(i) + "\n";
  for (int i = 0; i < 300; i += 7) text += "C" + std::to_string(i) + "@EXAMPLE.com;\n";  // already there
  text += "c3@example.com;Три\nc3@example.com;Снова\n";
  ImportOptions o;
  o.group = "Все";
  ImportSummary s = f.import(text, o);
  CHECK(s.added == 299);
  CHECK(s.updated == 1 + 2);
  CHECK(s.already_there == 43);
  CHECK(f.count("SELECT count(*) FROM client") == 300);
  CHECK(f.count("SELECT count(*) FROM group_member") == 300);
  CHECK(f.count("SELECT count(*) FROM client WHERE email = 'c3@example.com' AND name = 'Снова'") == 1);
  CHECK(f.count("SELECT count(*) FROM client WHERE email = 'c150@example.com' AND name = 'Имя 150'") == 1);
  // Again: every row is there, and nothing is written twice.
  ImportSummary again = f.import(text, o);
  CHECK(again.added == 0);
  CHECK(f.count("SELECT count(*) FROM client") == 300);
  CHECK(f.count("SELECT count(*) FROM group_member") == 300);
}

TEST_CASE("import: a bad row anywhere imports nothing, not even the group (SPEC §2)") {
  Fixture f;
  std::string text = "email\n";
  for (int i = 0; i < 1000; ++i) text += "c" + std::to_string(i) + "@example.com\n";
  text += "broken\n";
  ImportOptions o;
  o.group = "Новая";
  o.source = "big.csv";
  const Error e = error_of([&] { f.import(text, o); });
  CHECK(e.code() == Errc::data);
  CHECK(std::string(e.what()).starts_with("big.csv: 1 invalid row(s), nothing imported: line 1002: email:"));
  CHECK(f.count("SELECT count(*) FROM client") == 0);
  CHECK(f.count("SELECT count(*) FROM \"group\"") == 0);
  const Error syntax = error_of([&] { f.import("email\na@example.com\n\"open\n", o); });
  CHECK(std::string(syntax.what()) == "big.csv: line 3: unterminated quoted field");
  CHECK(f.count("SELECT count(*) FROM client") == 0);
}

TEST_CASE("export: streams rows and defuses formulas unless raw (issue 8.8)") {
  Fixture f;
  add_client(f.db, f.owner, "a@example.com", "=1+1", "", {}, f.now);
  std::vector<std::string> pieces;
  export_clients(f.db, f.owner, std::nullopt, false, [&](std::string_view p) { pieces.emplace_back(p); });
  CHECK(pieces == std::vector<std::string>{"email,name,comment\r\n", "a@example.com,'=1+1,\r\n"});
  std::string raw;
  export_clients(f.db, f.owner, std::nullopt, true, [&](std::string_view p) { raw += p; });
  CHECK(raw == "email,name,comment\r\na@example.com,=1+1,\r\n");
}
