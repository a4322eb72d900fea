#pragma once
// The store's backends, for contract tests written once and run on every driver:
//
//   TEST_CASE_TEMPLATE("messages: an inserted message reads back", Backend, MAILER_STORE_BACKENDS) {
//     Backend backend;
//     store::Database& db = backend.db();
//     ...
//   }
//
// SQLite on a file and in memory, and PostgreSQL on the server of ctest's fixture "postgres"
// (pg_server.hpp).
#include <atomic>
#include <memory>
#include <string>

#include "mailer/store/database.hpp"
#include "mailer/store/postgres/db.hpp"
#include "mailer/store/sqlite/db.hpp"
#include "pg_server.hpp"
#include "test_support.hpp"

namespace mailer::test {

// What the backends share: the connection, and set-up in SQL.
template <class Connection>
class SqlBackend {
 public:
  template <class... Args>
  explicit SqlBackend(const Args&... args) : db_(args...) {}
  store::Database& db() { return db_; }
  // Test set-up in SQL the backends share (the common subset of SQLite and PostgreSQL), for rows
  // of aggregates a contract test does not exercise.
  void exec(const std::string& sql) { db_.exec(sql); }
  // A verified, active account with role user; its id.
  Id seed_account(const std::string& email) {
    auto st = db_.prepare(
        "INSERT INTO account (email, name, password_hash, verified, active, roles, created_at) "
        "VALUES (?, '', 'x', TRUE, TRUE, 'user', 0) RETURNING id");
    st.bind(1, email);
    return st.returned_id();
  }

 private:
  Connection db_;
};

using SqliteBackend = SqlBackend<store::Db>;

// The directory a file backend's database lives in, made before the database opens.
struct BackendDir {
  TempDir dir{"mailer-store-" + std::to_string(next())};
  static int next() {
    static std::atomic<int> n{0};
    return n++;
  }
};

// A fresh, migrated database in a file of its own directory.
class SqliteFileBackend : private BackendDir, public SqliteBackend {
 public:
  static constexpr const char* kName = "SQLite file";
  SqliteFileBackend() : SqliteBackend((dir.path / "mailer.db").string()) {}
};

// A fresh, migrated database in memory (one connection; no journal, no run claims).
class SqliteMemoryBackend : public SqliteBackend {
 public:
  static constexpr const char* kName = "SQLite in memory";
  SqliteMemoryBackend() : SqliteBackend(":memory:") {}
};

// A fresh, migrated database of its own on the test server.
class PostgresBackend : private PgTestDatabase, public SqlBackend<store::PgDb> {
 public:
  static constexpr const char* kName = "PostgreSQL";
  PostgresBackend() : SqlBackend<store::PgDb>(url(), std::string()) {}
};

}  // namespace mailer::test

#define MAILER_STORE_BACKENDS \
  mailer::test::SqliteFileBackend, mailer::test::SqliteMemoryBackend, mailer::test::PostgresBackend
