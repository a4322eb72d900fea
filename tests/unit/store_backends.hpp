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

 private:
  store::Db db_;
};

}  // namespace mailer::test

#define MAILER_STORE_BACKENDS mailer::test::SqliteFileBackend, mailer::test::SqliteMemoryBackend
