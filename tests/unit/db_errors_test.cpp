// Issue 8 §10, issue 7 §9: storage failures exit with the code of SPEC §6 that says what to do,
// and files that are not mailer's database are left alone.
#include <doctest/doctest.h>

#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "mailer/base/error.hpp"
#include "mailer/store/sqlite/db.hpp"
#include "test_support.hpp"

using namespace mailer;
namespace fs = std::filesystem;

using mailer::test::error_of;
using mailer::test::TempDir;

TEST_CASE("store: a read-only database is an I/O error with a hint, not a bug (74)") {
  store::Db db(":memory:");
  db.exec("PRAGMA query_only = 1");
  Error e = error_of([&] { db.exec("INSERT INTO setting (key, value) VALUES ('a', 'b')"); });
  CHECK(e.code() == Errc::io_error);
  CHECK(std::string(e.what()).find("read-only") != std::string::npos);
  CHECK_FALSE(e.hint().empty());
  e = error_of([&] { db.prepare("INSERT INTO setting (key, value) VALUES ('a', 'b')").run(); });
  CHECK(e.code() == Errc::io_error);
}

TEST_CASE("store: a full disk is an I/O error with a hint (74)") {
  TempDir t("mailer-db-errors");
  store::Db db((t.path / "m.db").string());
  db.exec("PRAGMA max_page_count = 60");
  Error e = error_of([&] {
    for (int i = 0; i < 1000; ++i)
      db.prepare("INSERT INTO setting (key, value) VALUES (?, ?)")
          .bind_all(std::to_string(i), std::string(4000, 'x'))
          .run();
  });
  CHECK(e.code() == Errc::io_error);
  CHECK(std::string(e.what()).find("the disk is full") != std::string::npos);
}

TEST_CASE(
    "store: a file that is not a database, or another program's database, is not a mailer database (66)") {
  TempDir t("mailer-db-errors");
  const fs::path text = t.path / "notes.txt";
  std::ofstream(text) << std::string(5000, 'x');
  Error e = error_of([&] { store::Db db(text.string()); });
  CHECK(e.code() == Errc::not_found);
  CHECK(std::string(e.what()).find("not a mailer database") != std::string::npos);
  CHECK(fs::file_size(text) == 5000);

  const fs::path other = t.path / "other.db";
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(other.c_str(), &raw) == SQLITE_OK);
  sqlite3_exec(raw, "CREATE TABLE notes (x)", nullptr, nullptr, nullptr);
  sqlite3_close(raw);
  e = error_of([&] { store::Db db(other.string()); });
  CHECK(e.code() == Errc::not_found);
  CHECK(std::string(e.what()).find("not a mailer database") != std::string::npos);

  REQUIRE(sqlite3_open(other.c_str(), &raw) == SQLITE_OK);
  sqlite3_exec(raw, "PRAGMA application_id = 42", nullptr, nullptr, nullptr);
  sqlite3_close(raw);
  CHECK(error_of([&] { store::Db db(other.string()); }).code() == Errc::not_found);
}

TEST_CASE("store: a database mailer made is marked as mailer's and opens again") {
  TempDir t("mailer-db-errors");
  const std::string path = (t.path / "m.db").string();
  { store::Db db(path); }
  store::Db again(path);
  auto st = again.prepare("PRAGMA application_id");
  st.step();
  CHECK(st.int64(0) == 0x6D6C7231);
}
