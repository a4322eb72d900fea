#include "lock_session.hpp"

#include <fmt/format.h>

#include "libpq.hpp"
#include "mailer/base/error.hpp"
#include "mailer/store/postgres/db.hpp"

namespace mailer::store::postgres {

LockSession::LockSession(std::string url, std::string password, std::string purpose)
    : url_(std::move(url)), password_(std::move(password)), purpose_(std::move(purpose)) {}

LockSession::~LockSession() {
  if (conn_) libpq().finish(conn_);  // the server drops the locks with the session
}

pg_conn* LockSession::connection() {
  if (conn_) return conn_;
  std::string why;
  const std::string application = "mailer " + purpose_;
  conn_ = connect(url_, password_, application.c_str(), why);
  if (!conn_) {
    throw Error(
        Errc::temp_failure,
        fmt::format("cannot connect to database {} for {}: {}", redact_postgres_url(url_), purpose_, why),
        "try again");
  }
  return conn_;
}

void LockSession::fail(const std::string& why) const {
  throw Error(Errc::temp_failure,
              fmt::format("database {}: {}: {}", redact_postgres_url(url_), purpose_, why), "try again");
}

bool LockSession::ask(const char* function, std::int64_t key) {
  const auto& pq = libpq();
  const std::string sql = fmt::format("SELECT {}({})::text", function, key);
  PGresult* r = pq.exec(connection(), sql.c_str());
  const bool ok = pq.result_status(r) == PGRES_TUPLES_OK;
  const bool yes = ok && pq.getvalue(r, 0, 0)[0] != 'f';
  std::string why = ok ? std::string() : pq.result_error_message(r);
  pq.clear(r);
  if (!ok) fail(why);
  return yes;
}

}  // namespace mailer::store::postgres
