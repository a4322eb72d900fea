#pragma once
// The store's backends, for contract tests written once and run on every driver:
//
//   TEST_CASE_TEMPLATE("messages: an inserted message reads back", Backend, MAILER_STORE_BACKENDS) {
//     Backend backend;
//     store::Database& db = backend.db();
//     ...
//   }
//
// SQLite on a file and in memory today; the PostgreSQL driver adds its backend to the list.
#include <atomic>
#include <memory>
#include <string>

#include "mailer/store/database.hpp"
#include "mailer/store/sqlite/db.hpp"
#include "test_support.hpp"

namespace mailer::test {

// A fresh, migrated database in a file of its own directory.
class SqliteFileBackend {
 public:
  static constexpr const char* kName = "SQLite file";
  SqliteFileBackend()
      : dir_("mailer-store-" + std::to_string(counter()++)), db_((dir_.path / "mailer.db").string()) {}
  store::Database& db() { return db_; }
  // Test set-up in SQL the backends share (the common subset of SQLite and PostgreSQL), for rows
  // of aggregates a contract test does not exercise.
  void exec(const std::string& sql) { db_.exec(sql); }
  // A verified, active account with role user; its id.
  Id seed_account(const std::string& email) {
    db_.exec(
        "INSERT INTO account (email, name, password_hash, verified, active, roles, created_at) "
        "VALUES ('" +
        email + "', '', 'x', TRUE, TRUE, 'user', 0)");
    return db_.last_insert_id();
  }

 private:
  static std::atomic<int>& counter() {
    static std::atomic<int> n{0};
    return n;
  }
  TempDir dir_;
  store::Db db_;
};

// A fresh, migrated database in memory (one connection; no journal, no run claims).
class SqliteMemoryBackend {
 public:
  static constexpr const char* kName = "SQLite in memory";
  SqliteMemoryBackend() : db_(":memory:") {}
  store::Database& db() { return db_; }
  // Test set-up in SQL the backends share (the common subset of SQLite and PostgreSQL), for rows
  // of aggregates a contract test does not exercise.
  void exec(const std::string& sql) { db_.exec(sql); }
  // A verified, active account with role user; its id.
  Id seed_account(const std::string& email) {
    db_.exec(
        "INSERT INTO account (email, name, password_hash, verified, active, roles, created_at) "
        "VALUES ('" +
        email + "', '', 'x', TRUE, TRUE, 'user', 0)");
    return db_.last_insert_id();
  }

 private:
  store::Db db_;
};

}  // namespace mailer::test

#define MAILER_STORE_BACKENDS mailer::test::SqliteFileBackend, mailer::test::SqliteMemoryBackend
