#pragma once
// The PostgreSQL driver: one libpq connection (RAII), its statements, transactions and
// migrations. libpq is loaded on first use (src/store/postgres/libpq.hpp).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "mailer/store/database_name.hpp"
#include "mailer/store/sql/connection.hpp"

struct pg_conn;
struct pg_result;

namespace mailer::store {

// One PostgreSQL connection, migrated to the latest schema when opened.
class PgDb final : public SqlConnection {
 public:
  // `url` is a libpq URL; `password`, when not empty, is the one the config's
  // [database] password_env named (else libpq's PGPASSWORD or ~/.pgpass). Error{unavailable}
  // when the server cannot be reached, Error{config} when it refuses the login.
  PgDb(const std::string& url, const std::string& password);
  ~PgDb() override;
  PgDb(const PgDb&) = delete;
  PgDb& operator=(const PgDb&) = delete;

  void begin(bool immediate) override;
  void commit() override;
  void rollback() noexcept override;
  std::optional<LocalFile> local_file() const override { return std::nullopt; }
  std::unique_ptr<RunClaimer> run_claimer() override;
  std::unique_ptr<ConnectionSlots> connection_slots(std::string_view server, int slots) override;

  Dialect dialect() const override { return Dialect::postgres; }
  std::unique_ptr<SqlCursor> cursor(std::string_view sql) override;
  void exec(std::string_view sql) override;
  int changes() const override { return changes_; }
  [[noreturn]] void fail(std::string_view what) const override;

  // The URL as given, with its password hidden.
  std::string name() const override { return name_; }
  int schema_version() override;
  pg_conn* handle() const { return conn_; }
  // The driver's own: what the last command changed, and its failure.
  void set_changes(int n) { changes_ = n; }
  [[noreturn]] void fail_result(const pg_result* result, std::string_view what) const;

 private:
  void migrate();

  pg_conn* conn_ = nullptr;
  std::string url_;
  std::string password_;
  std::string name_;
  int changes_ = 0;
};

}  // namespace mailer::store
