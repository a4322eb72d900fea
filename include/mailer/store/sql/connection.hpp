#pragma once
// What the SQL drivers share: a connection that prepares statements, and the repositories
// written once in SQL (src/store/sql) on top of it. SQLite (store/sqlite) and PostgreSQL
// (store/postgres) each implement a cursor and the few calls whose SQL differs; the store code
// asks dialect() where the two spell a thing differently.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "mailer/store/database.hpp"

namespace mailer::store {

enum class Dialect { sqlite, postgres };

// One prepared statement of a driver. Parameters bind by position (1-based), columns read by
// index (0-based); a failure throws the driver's Error.
class SqlCursor {
 public:
  virtual ~SqlCursor() = default;
  virtual void bind_int64(int index, std::int64_t value) = 0;
  virtual void bind_bool(int index, bool value) = 0;
  virtual void bind_double(int index, double value) = 0;
  virtual void bind_text(int index, std::string_view value) = 0;
  virtual void bind_blob(int index, std::string_view bytes) = 0;
  virtual void bind_null(int index) = 0;
  // Advances to the next row (running the statement on the first call); false when done.
  virtual bool step() = 0;
  // Ready to run again; the bindings are cleared.
  virtual void reset() = 0;
  virtual bool is_null(int col) const = 0;
  virtual std::int64_t int64(int col) const = 0;
  virtual double real(int col) const = 0;
  virtual std::string text(int col) const = 0;
  virtual std::string blob(int col) const = 0;
};

class SqlConnection;

// A prepared statement: the store's handle on a driver's cursor.
class Statement {
 public:
  Statement(SqlConnection& db, std::string_view sql);
  Statement(Statement&&) noexcept = default;
  Statement& operator=(Statement&&) noexcept = default;

  Statement& bind(int index, std::int64_t value) { return cursor_->bind_int64(index, value), *this; }
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, bool value) { return cursor_->bind_bool(index, value), *this; }
  Statement& bind(int index, double value) { return cursor_->bind_double(index, value), *this; }
  Statement& bind(int index, std::string_view value) { return cursor_->bind_text(index, value), *this; }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
  Statement& bind_blob(int index, std::string_view bytes) { return cursor_->bind_blob(index, bytes), *this; }
  Statement& bind_null(int index) { return cursor_->bind_null(index), *this; }
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
  bool step() { return cursor_->step(); }
  // The id an `INSERT ... RETURNING id` gave back (one step); Error{internal} when it gave none.
  std::int64_t returned_id();
  // Runs a statement that returns no rows (or ignores them), then resets it.
  void run();
  // Resets for re-execution with new bindings.
  void reset() { cursor_->reset(); }

  bool is_null(int col) const { return cursor_->is_null(col); }
  std::int64_t int64(int col) const { return cursor_->int64(col); }
  double real(int col) const { return cursor_->real(col); }
  std::string text(int col) const { return cursor_->text(col); }
  std::optional<std::string> opt_text(int col) const;
  std::optional<std::int64_t> opt_int64(int col) const;
  std::string blob(int col) const { return cursor_->blob(col); }

 private:
  std::unique_ptr<SqlCursor> cursor_;
};

// A connection of an SQL driver, and the Database whose repositories run on it.
class SqlConnection : public Database {
 public:
  SqlConnection();
  ~SqlConnection() override;
  SqlConnection(const SqlConnection&) = delete;
  SqlConnection& operator=(const SqlConnection&) = delete;

  virtual Dialect dialect() const = 0;
  // The database as it may be printed: a file's path, a URL without its password.
  virtual std::string name() const = 0;
  virtual int schema_version() = 0;
  // A statement of this driver; its SQL is the common subset, with `?` and `?N` parameters.
  virtual std::unique_ptr<SqlCursor> cursor(std::string_view sql) = 0;
  // Runs one or more statements without parameters (schema, pragmas).
  virtual void exec(std::string_view sql) = 0;
  // Rows the last INSERT, UPDATE or DELETE changed.
  virtual int changes() const = 0;
  // Throws the last failure as an Error with the exit status of SPEC §6.
  [[noreturn]] virtual void fail(std::string_view what) const = 0;

  Statement prepare(std::string_view sql) { return Statement(*this, sql); }

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

 protected:
  // The repositories refer to this object: a driver that moves drops them first.
  void drop_repositories() noexcept;

 private:
  struct Repositories;
  Repositories& repositories();
  std::unique_ptr<Repositories> repositories_;
};

}  // namespace mailer::store
