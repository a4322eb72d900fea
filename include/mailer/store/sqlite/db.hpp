#pragma once
// The SQLite driver: one connection (RAII), its prepared statements, transactions, migrations.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "mailer/store/sql/connection.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace mailer::store {

// One SQLite connection with foreign keys on, WAL, synchronous=NORMAL and a busy timeout: the
// SQLite driver of Database. Its prepare() is for the driver's own files (src/store/sqlite).
class Db final : public SqlConnection {
 public:
  // Opens (creating with mode 0600 when missing) and migrates to the latest schema. A file
  // that is not a mailer database is refused (Error{not_found}) and left as it was.
  explicit Db(const std::string& path);
  ~Db();
  Db(Db&& other) noexcept;
  Db& operator=(Db&& other) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void begin(bool immediate) override;
  void commit() override;
  void rollback() noexcept override;
  std::optional<LocalFile> local_file() const override;
  std::unique_ptr<RunClaimer> run_claimer() override;

  Dialect dialect() const override { return Dialect::sqlite; }
  std::unique_ptr<SqlCursor> cursor(std::string_view sql) override;
  void exec(std::string_view sql) override;
  int changes() const override;
  std::string name() const override { return path_; }
  int schema_version() override;
  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_; }

  // Throws the last failure as an Error with the exit status of SPEC §6: temp_failure when
  // busy, not_found for a file that is not a database, io_error for a damaged, read-only or
  // full one, internal for the rest.
  [[noreturn]] void fail(std::string_view what) const override;

 private:
  // Refuses (Error{not_found}, "not a mailer database") an SQLite file of another program
  // rather than migrating mailer's tables into it.
  void check_ours(int version);
  void migrate();
  sqlite3* db_ = nullptr;
  std::string path_;
};

// The latest schema version the binary knows.
int latest_schema_version();

}  // namespace mailer::store
