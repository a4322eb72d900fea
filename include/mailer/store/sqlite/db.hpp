#pragma once
// SQLite RAII: a connection, prepared statements with bound parameters, transactions.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "mailer/store/database.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace mailer::store {

class Db;

// A prepared statement. Parameters bind by position (1-based); columns read by index.
class Statement {
 public:
  Statement(Db& db, std::string_view sql);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, bool value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
  Statement& bind_blob(int index, std::string_view bytes);
  Statement& bind_null(int index);
  template <class T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }

  // Binds all arguments in order from parameter 1.
  template <class... Args>
  Statement& bind_all(const Args&... args) {
    int i = 0;
    (bind(++i, args), ...);
    return *this;
  }

  // Advances to the next row; false when done.
  bool step();
  // The id an `INSERT ... RETURNING id` gave back (one step); Error{internal} when it gave none.
  std::int64_t returned_id();
  // Runs a statement that returns no rows (or ignores them).
  void run();
  // Resets for re-execution with new bindings.
  void reset();

  bool is_null(int col) const;
  std::int64_t int64(int col) const;
  double real(int col) const;
  std::string text(int col) const;
  std::optional<std::string> opt_text(int col) const;
  std::optional<std::int64_t> opt_int64(int col) const;
  std::string blob(int col) const;

 private:
  Db* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

namespace sqlite {
class SqliteAccountStore;
class SqliteClientStore;
class SqliteMessageStore;
class SqliteMailingStore;
class SqliteRunStore;
class SqliteAttemptStore;
class SqliteSettingStore;
class SqliteReportStore;
class SqliteEventStore;
class SqliteBounceStore;
class SqlitePostStore;
class SqliteBounceReportStore;
}  // namespace sqlite

// One SQLite connection with foreign keys on, WAL, synchronous=NORMAL and a busy timeout: the
// SQLite driver of Database. Its prepare() is for the driver's own files (src/store/sqlite).
class Db final : public Database {
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
  AccountStore& accounts() override;
  ClientStore& clients() override;
  MessageStore& messages() override;
  MailingStore& mailings() override;
  RunStore& runs() override;
  AttemptStore& attempts() override;
  SettingStore& settings() override;
  ReportStore& reports() override;
  EventStore& events() override;
  BounceStore& bounces() override;
  PostStore& posts() override;
  BounceReportStore& bounce_reports() override;
  std::unique_ptr<RunClaimer> run_claimer() override;

  // Runs one or more statements without parameters (schema, pragmas).
  void exec(std::string_view sql);
  Statement prepare(std::string_view sql) { return Statement(*this, sql); }
  std::int64_t last_insert_id() const;
  int changes() const;
  int schema_version();
  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_; }

  // Throws the last failure as an Error with the exit status of SPEC §6: temp_failure when
  // busy, not_found for a file that is not a database, io_error for a damaged, read-only or
  // full one, internal for the rest.
  [[noreturn]] void fail(std::string_view what) const;

 private:
  // Refuses (Error{not_found}, "not a mailer database") an SQLite file of another program
  // rather than migrating mailer's tables into it.
  void check_ours(int version);
  void migrate();
  // The repositories, made on first use; they refer to this object, so a move drops them.
  struct Repositories;
  void drop_repositories() noexcept;
  Repositories& repositories();

  sqlite3* db_ = nullptr;
  std::string path_;
  std::unique_ptr<Repositories> repositories_;
};

// The latest schema version the binary knows.
int latest_schema_version();

}  // namespace mailer::store
