#include "mailer/store/sqlite/db.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "mailer/base/error.hpp"
#include "mailer/store/sqlite/run_claims.hpp"
#include "sql/migration.hpp"
#include "sql_functions.hpp"

namespace mailer::store {
namespace {

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> all = {
#include "migrations.inc"
  };
  return all;
}

// Marks a database as mailer's in its header (PRAGMA application_id, set by migration 004), so
// that another program's SQLite file is told apart from ours.
constexpr int kApplicationId = 0x6D6C7231;  // "mlr1"

const char* const kNotOurs = "not a mailer database";
const char* const kNotOursHint =
    "check `db`, MAILER_DB or [database] path; a new file name makes a new database";

// One error for a failed SQLite call, with the exit status of SPEC §6 that says what the user
// can do about it (a bug is the last guess, not the first).
[[noreturn]] void throw_sqlite(int rc, const std::string& path, std::string_view what,
                               const std::string& message) {
  const std::string detail = what.empty() ? message : fmt::format("{}: {}", what, message);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      throw Error(Errc::temp_failure, fmt::format("database {} is busy", path),
                  "another mailer is writing; try again");
    case SQLITE_NOTADB:
      throw Error(Errc::not_found, fmt::format("{}: {} ({})", path, kNotOurs, message), kNotOursHint);
    case SQLITE_CORRUPT:
      throw Error(Errc::io_error, fmt::format("database {} is damaged: {}", path, detail),
                  "restore it from a backup, or try `sqlite3 FILE .recover`");
    case SQLITE_READONLY:
      throw Error(Errc::io_error, fmt::format("database {} is read-only: {}", path, detail),
                  "mailer writes it and FILE-wal, FILE-shm beside it: check the permissions of the file and "
                  "its folder, and that the file system is not mounted read-only");
    case SQLITE_FULL:
      throw Error(Errc::io_error, fmt::format("database {}: the disk is full: {}", path, detail),
                  "free some space and try again; nothing of this command was written");
    case SQLITE_IOERR:
      throw Error(Errc::io_error, fmt::format("database {}: I/O error: {}", path, detail),
                  "check the disk and the file system");
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      throw Error(Errc::not_found, fmt::format("cannot open database {}: {}", path, detail),
                  "check that the path names a file you may read and write");
    default:
      throw Error(Errc::internal, fmt::format("database {}: {}", path, detail));
  }
}

}  // namespace

int latest_schema_version() { return latest_version(migrations()); }

namespace {

// A prepared SQLite statement, finalized when destroyed.
class SqliteCursor final : public SqlCursor {
 public:
  SqliteCursor(const Db& db, std::string_view sql) : db_(db) {
    if (sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
        SQLITE_OK)
      db.fail(fmt::format("prepare '{}'", sql.substr(0, 60)));
  }
  ~SqliteCursor() override { sqlite3_finalize(stmt_); }
  SqliteCursor(const SqliteCursor&) = delete;
  SqliteCursor& operator=(const SqliteCursor&) = delete;

  void bind_int64(int index, std::int64_t value) override { check(sqlite3_bind_int64(stmt_, index, value)); }
  void bind_bool(int index, bool value) override { check(sqlite3_bind_int64(stmt_, index, value ? 1 : 0)); }
  void bind_double(int index, double value) override { check(sqlite3_bind_double(stmt_, index, value)); }
  void bind_text(int index, std::string_view value) override {
    check(sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT));
  }
  void bind_blob(int index, std::string_view bytes) override {
    check(sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT));
  }
  void bind_null(int index) override { check(sqlite3_bind_null(stmt_, index)); }

  bool step() override {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    db_.fail("step");
  }
  void reset() override {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  bool is_null(int col) const override { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::int64_t int64(int col) const override { return sqlite3_column_int64(stmt_, col); }
  double real(int col) const override { return sqlite3_column_double(stmt_, col); }
  std::string text(int col) const override {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
  }
  std::string blob(int col) const override {
    auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
  }

 private:
  void check(int rc) const {
    if (rc != SQLITE_OK) db_.fail("bind");
  }
  const Db& db_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace

std::unique_ptr<SqlCursor> Db::cursor(std::string_view sql) {
  return std::make_unique<SqliteCursor>(*this, sql);
}

Db::Db(const std::string& path) : path_(path) {
  bool memory = path == ":memory:" || path.empty();
  if (!memory) {
    std::filesystem::path p(path);
    if (p.has_parent_path() && !std::filesystem::exists(p.parent_path()))
      throw Error(Errc::not_found,
                  fmt::format("database directory {} does not exist", p.parent_path().string()),
                  "create it, or set [database] path / `db`");
    if (!std::filesystem::exists(p)) {
      // Create the file ourselves so that it is 0600 from its first byte.
      int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_EXCL | O_CLOEXEC, 0600);
      if (fd < 0 && errno != EEXIST)
        throw Error(Errc::not_found,
                    fmt::format("cannot create database {}: {}", path, std::strerror(errno)));
      if (fd >= 0) ::close(fd);
    }
    // SQLite keeps its write-ahead log and lock files per name: two hard links to one database
    // are two logs, and what is written through one name is lost to the other (sqlite.org,
    // "How To Corrupt An SQLite Database File", 2.5). Symlinks are resolved and safe.
    struct stat sb {};
    if (::stat(path.c_str(), &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_nlink > 1)
      throw Error(
          Errc::config,
          fmt::format("database {} has {} names (hard links): SQLite would keep a separate log for each",
                      path, sb.st_nlink),
          "keep one name and point the others at it with a symbolic link (ln -s)");
  }
  if (int rc = sqlite3_open_v2(path.c_str(), &db_,
                               SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
      rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw_sqlite(rc, path, "", msg);
  }
  sqlite3_busy_timeout(db_, 10000);
  sqlite3_extended_result_codes(db_, 1);
  try {
    register_sql_functions(db_);
    exec("PRAGMA foreign_keys = ON");
    if (!memory) {
      exec("PRAGMA journal_mode = WAL");
      exec("PRAGMA synchronous = NORMAL");
    }
    migrate();
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

Db::~Db() {
  drop_repositories();
  if (db_) sqlite3_close_v2(db_);
}

Db::Db(Db&& other) noexcept
    : SqlConnection(), db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)) {
  other.drop_repositories();
}

Db& Db::operator=(Db&& other) noexcept {
  if (this != &other) {
    drop_repositories();
    other.drop_repositories();
    if (db_) sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

void Db::exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw_sqlite(sqlite3_errcode(db_), path_, "", msg);
  }
}

int Db::changes() const { return sqlite3_changes(db_); }

int Db::schema_version() {
  auto st = prepare("PRAGMA user_version");
  st.step();
  return static_cast<int>(st.int64(0));
}

void Db::fail(std::string_view what) const {
  throw_sqlite(sqlite3_errcode(db_), path_, what, sqlite3_errmsg(db_));
}

void Db::check_ours(int version) {
  auto app = prepare("PRAGMA application_id");
  app.step();
  const std::int64_t id = app.int64(0);
  app.reset();
  auto tables = prepare("SELECT count(*) FROM sqlite_master");
  tables.step();
  const std::int64_t objects = tables.int64(0);
  tables.reset();
  // A new file has no schema at all; a mailer database from before the application id has
  // its user table.
  bool ours = id == kApplicationId || (id == 0 && version == 0 && objects == 0);
  if (!ours && id == 0 && version > 0) {
    auto user =
        prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('user', 'mailing')");
    user.step();
    ours = user.int64(0) == 2;
  }
  if (!ours)
    throw Error(Errc::not_found,
                fmt::format("{}: {} (an SQLite file of another program: {})", path_, kNotOurs,
                            id != 0 ? fmt::format("application id {:#x}", id)
                                    : fmt::format("{} schema objects, version {}", objects, version)),
                kNotOursHint);
}

void Db::migrate() {
  int current = schema_version();
  check_ours(current);
  if (current > latest_schema_version())
    throw Error(Errc::config,
                fmt::format("database {} has schema version {}, newer than this mailer knows ({})", path_,
                            current, latest_schema_version()),
                "upgrade mailer");
  if (current == latest_schema_version()) return;
  // Some migrations rebuild tables (create, copy, drop, rename), which with foreign keys on
  // would cascade the drop into every referencing table. They run with the checks off, and
  // the references are checked before the commit instead. The pragma is a no-op inside a
  // transaction, so it is set before BEGIN.
  exec("PRAGMA foreign_keys = OFF");
  try {
    Transaction tx(*this);
    // Re-read inside the write lock: another process may have migrated meanwhile.
    current = schema_version();
    for (const auto& m : migrations()) {
      if (m.version <= current) continue;
      exec(m.sql);
      exec(fmt::format("PRAGMA user_version = {}", m.version));
    }
    auto broken = prepare("PRAGMA foreign_key_check");
    if (broken.step())
      throw Error(Errc::internal, fmt::format("database {}: migration left a broken reference in table {}",
                                              path_, broken.text(0)));
    broken.reset();
    tx.commit();
  } catch (...) {
    exec("PRAGMA foreign_keys = ON");
    throw;
  }
  exec("PRAGMA foreign_keys = ON");
}

void Db::begin(bool immediate) { exec(immediate ? "BEGIN IMMEDIATE" : "BEGIN"); }
void Db::commit() { exec("COMMIT"); }
std::optional<LocalFile> Db::local_file() const {
  if (path_.empty() || path_ == ":memory:") return std::nullopt;
  return LocalFile{path_, canonical_db_path(path_)};
}

void Db::rollback() noexcept { sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr); }

std::unique_ptr<RunClaimer> Db::run_claimer() { return std::make_unique<sqlite::SqliteRunClaimer>(path_); }

}  // namespace mailer::store
