#include "mailer/store/postgres/db.hpp"

#include <charconv>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "connection_slots.hpp"
#include "libpq.hpp"
#include "mailer/base/error.hpp"
#include "params.hpp"
#include "run_claims.hpp"
#include "sql/migration.hpp"

namespace mailer::store {
namespace {

using postgres::libpq;

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> all = {
#include "pg_migrations.inc"
  };
  return all;
}

// Keys of the advisory locks mailer takes ("mlr" and a purpose): one that serializes writers
// as SQLite's BEGIN IMMEDIATE does, one that serializes migrations between hosts.
constexpr std::int64_t kWriteLock = 0x6D6C72'0001;
constexpr std::int64_t kMigrationLock = 0x6D6C72'0002;

// PostgreSQL's type ids of what a statement binds (pg_type.h); text stays untyped so that the
// server infers it, as SQLite takes text anywhere.
constexpr Oid kBool = 16, kBytea = 17, kInt8 = 20, kText = 25, kFloat8 = 701;

// The exit status of SPEC §6 for a failure with SQLSTATE `state` (PostgreSQL's appendix A).
Errc errc_of(std::string_view state) {
  const std::string_view cls = state.substr(0, 2);
  if (cls == "08" || cls == "57" || state == "40001" || state == "40P01" || state == "55P03" || cls == "53")
    return cls == "53" && state != "53300" ? Errc::io_error : Errc::temp_failure;
  if (cls == "28" || state == "3D000" || state == "42501") return Errc::config;
  if (cls == "58") return Errc::io_error;
  return Errc::internal;
}

class Result {
 public:
  explicit Result(PGresult* r) : r_(r) {}
  ~Result() {
    if (r_) libpq().clear(r_);
  }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  Result(Result&& o) noexcept : r_(std::exchange(o.r_, nullptr)) {}
  Result& operator=(Result&& o) noexcept {
    std::swap(r_, o.r_);
    return *this;
  }
  PGresult* get() const { return r_; }
  bool ok() const {
    auto s = libpq().result_status(r_);
    return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
  }

 private:
  PGresult* r_;
};

// A statement run with PQexecParams when first stepped; its rows are read from the result.
class PgCursor final : public SqlCursor {
 public:
  PgCursor(PgDb& db, std::string_view sql) : db_(db), sql_(postgres::numbered_parameters(sql)) {}

  void bind_int64(int index, std::int64_t value) override { set(index, std::to_string(value), kInt8); }
  void bind_bool(int index, bool value) override { set(index, value ? "true" : "false", kBool); }
  void bind_double(int index, double value) override { set(index, fmt::format("{:.17g}", value), kFloat8); }
  void bind_text(int index, std::string_view value) override { set(index, std::string(value), 0); }
  void bind_blob(int index, std::string_view bytes) override {
    set(index, std::string(bytes), kBytea);
    params_[static_cast<std::size_t>(index - 1)].binary = true;
  }
  void bind_null(int index) override {
    set(index, std::string(), 0);
    params_[static_cast<std::size_t>(index - 1)].null = true;
  }

  bool step() override {
    if (!result_.get()) execute();
    if (row_ + 1 >= libpq().ntuples(result_.get())) return false;
    ++row_;
    return true;
  }
  void reset() override {
    result_ = Result(nullptr);
    row_ = -1;
    params_.clear();
  }

  bool is_null(int col) const override { return libpq().getisnull(result_.get(), row_, col) != 0; }
  std::int64_t int64(int col) const override {
    const char* v = libpq().getvalue(result_.get(), row_, col);
    if (v[0] == 't' && v[1] == '\0') return 1;  // a boolean
    if (v[0] == 'f' && v[1] == '\0') return 0;
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(v, v + std::char_traits<char>::length(v), n);
    if (ec != std::errc() || *end == '.') n = static_cast<std::int64_t>(std::strtod(v, nullptr));
    return n;
  }
  double real(int col) const override {
    return std::strtod(libpq().getvalue(result_.get(), row_, col), nullptr);
  }
  std::string text(int col) const override {
    return std::string(libpq().getvalue(result_.get(), row_, col),
                       static_cast<std::size_t>(libpq().getlength(result_.get(), row_, col)));
  }
  std::string blob(int col) const override {
    if (is_null(col)) return {};
    std::size_t n = 0;
    unsigned char* bytes = libpq().unescape_bytea(
        reinterpret_cast<const unsigned char*>(libpq().getvalue(result_.get(), row_, col)), &n);
    if (!bytes) throw Error(Errc::internal, "database: cannot decode a bytea column");
    std::string out(reinterpret_cast<const char*>(bytes), n);
    libpq().freemem(bytes);
    return out;
  }

 private:
  // One not bound is NULL, as in SQLite, and typed as text: PostgreSQL refuses a parameter
  // whose type it cannot infer, which one the statement does not use would be.
  struct Param {
    std::string value;
    Oid type = kText;
    bool null = true;
    bool binary = false;
  };

  void set(int index, std::string value, Oid type) {
    if (index < 1) throw Error(Errc::internal, "database: parameter index below 1");
    if (params_.size() < static_cast<std::size_t>(index)) params_.resize(static_cast<std::size_t>(index));
    params_[static_cast<std::size_t>(index - 1)] = Param{std::move(value), type, false, false};
  }

  void execute() {
    const std::size_t n = params_.size();
    std::vector<Oid> types(n);
    std::vector<const char*> values(n);
    std::vector<int> lengths(n), formats(n);
    for (std::size_t i = 0; i < n; ++i) {
      types[i] = params_[i].type;
      values[i] = params_[i].null ? nullptr : params_[i].value.c_str();
      lengths[i] = static_cast<int>(params_[i].value.size());
      formats[i] = params_[i].binary ? 1 : 0;
    }
    result_ = Result(libpq().exec_params(db_.handle(), sql_.c_str(), static_cast<int>(n), types.data(),
                                         values.data(), lengths.data(), formats.data(), 0));
    if (!result_.ok()) db_.fail_result(result_.get(), "statement");
    const char* changed = libpq().cmd_tuples(result_.get());
    db_.set_changes(changed && *changed ? std::atoi(changed) : 0);
    row_ = -1;
  }

  PgDb& db_;
  std::string sql_;
  std::vector<Param> params_;
  Result result_{nullptr};
  int row_ = -1;
};

}  // namespace

PgDb::PgDb(const std::string& url, const std::string& password)
    : url_(url), password_(password), name_(redact_postgres_url(url)) {
  const auto& pq = libpq();
  std::string why;
  conn_ = postgres::connect(url_, password_, "mailer", why);
  if (!conn_) {
    const bool refused = why.find("password") != std::string::npos ||
                         why.find("authentication") != std::string::npos ||
                         why.find("does not exist") != std::string::npos;
    throw Error(refused ? Errc::config : Errc::unavailable,
                fmt::format("cannot connect to database {}: {}", name_, why),
                refused ? "check the URL's user and database, and the password ([database] password_env, "
                          "PGPASSWORD or ~/.pgpass)"
                        : "check that the PostgreSQL server is running and the URL's host and port");
  }
  // Notices (a table that already exists, say) are for a console, not for mailer's output.
  pq.set_notice_processor(
      conn_, [](void*, const char*) {}, nullptr);
  try {
    exec("SET client_min_messages = warning");
    migrate();
  } catch (...) {
    pq.finish(conn_);
    conn_ = nullptr;
    throw;
  }
}

PgDb::~PgDb() {
  drop_repositories();
  if (conn_) libpq().finish(conn_);
}

std::unique_ptr<SqlCursor> PgDb::cursor(std::string_view sql) {
  return std::make_unique<PgCursor>(*this, sql);
}

void PgDb::exec(std::string_view sql) {
  Result r(libpq().exec(conn_, std::string(sql).c_str()));
  if (!r.ok()) fail_result(r.get(), "exec");
  const char* changed = libpq().cmd_tuples(r.get());
  changes_ = changed && *changed ? std::atoi(changed) : 0;
}

void PgDb::fail(std::string_view what) const {
  throw Error(Errc::internal, fmt::format("database {}: {}: {}", name_, what, libpq().error_message(conn_)));
}

void PgDb::fail_result(const pg_result* result, std::string_view what) const {
  const auto& pq = libpq();
  const char* state = result ? pq.result_error_field(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string message = result ? pq.result_error_message(result) : pq.error_message(conn_);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  if (auto nl = message.find('\n'); nl != std::string::npos) message.resize(nl);
  const Errc code = state ? errc_of(state) : Errc::temp_failure;  // no state: the connection went
  switch (code) {
    case Errc::temp_failure:
      throw Error(code, fmt::format("database {} is busy or unreachable: {}", name_, message),
                  "try again; another mailer may hold a lock, or the server restarts");
    case Errc::io_error:
      throw Error(code, fmt::format("database {}: {}", name_, message), "check the server's disk");
    case Errc::config:
      throw Error(code, fmt::format("database {}: {}", name_, message),
                  "check the URL's user and database and their privileges");
    default:
      throw Error(code, fmt::format("database {}: {}: {}", name_, what, message));
  }
}

int PgDb::schema_version() {
  Result exists(libpq().exec(conn_, "SELECT to_regclass('mailer_schema') IS NOT NULL"));
  if (!exists.ok()) fail_result(exists.get(), "schema version");
  if (libpq().getvalue(exists.get(), 0, 0)[0] != 't') return 0;
  Result r(libpq().exec(conn_, "SELECT coalesce(max(version), 0) FROM mailer_schema"));
  if (!r.ok()) fail_result(r.get(), "schema version");
  return std::atoi(libpq().getvalue(r.get(), 0, 0));
}

void PgDb::migrate() {
  const int latest = latest_version(migrations());
  if (schema_version() == latest) return;
  // A session lock, so that two hosts running `mailer init` at once migrate one after the other.
  exec(fmt::format("SELECT pg_advisory_lock({})", kMigrationLock));
  try {
    const int current = schema_version();
    if (current > latest)
      throw Error(Errc::config,
                  fmt::format("database {} has schema version {}, newer than this mailer knows ({})", name_,
                              current, latest),
                  "upgrade mailer");
    if (current == 0) {
      auto st = prepare(
          "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename IN ('account', "
          "'mailing', 'client')");
      st.step();
      const auto found = st.int64(0);
      st.reset();
      if (found > 0)
        throw Error(Errc::not_found,
                    fmt::format("{}: not a mailer database (it has tables of another program)", name_),
                    "name an empty database, or one mailer made");
    }
    if (current < latest) {
      Transaction tx(*this, false);
      exec("CREATE TABLE IF NOT EXISTS mailer_schema (version BIGINT NOT NULL)");
      for (const auto& m : migrations()) {
        if (m.version <= current) continue;
        exec(m.sql);
      }
      exec("DELETE FROM mailer_schema");
      exec(fmt::format("INSERT INTO mailer_schema (version) VALUES ({})", latest));
      tx.commit();
    }
  } catch (...) {
    Result unlock(libpq().exec(conn_, fmt::format("SELECT pg_advisory_unlock({})", kMigrationLock).c_str()));
    throw;
  }
  exec(fmt::format("SELECT pg_advisory_unlock({})", kMigrationLock));
}

void PgDb::begin(bool immediate) {
  exec("BEGIN");
  // As SQLite's BEGIN IMMEDIATE: a read-then-write cannot lose a race to another writer.
  if (immediate) exec(fmt::format("SELECT pg_advisory_xact_lock({})", kWriteLock));
}

void PgDb::commit() { exec("COMMIT"); }

void PgDb::rollback() noexcept {
  if (conn_) libpq().clear(libpq().exec(conn_, "ROLLBACK"));
}

std::unique_ptr<RunClaimer> PgDb::run_claimer() {
  return std::make_unique<postgres::PgRunClaimer>(url_, password_);
}

std::unique_ptr<ConnectionSlots> PgDb::connection_slots(std::string_view server, int slots) {
  return std::make_unique<postgres::PgConnectionSlots>(url_, password_, server, slots);
}

}  // namespace mailer::store
