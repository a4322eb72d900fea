#include "run_claims.hpp"

#include <fmt/format.h>

#include <random>

#include "libpq.hpp"
#include "mailer/base/error.hpp"
#include "mailer/store/postgres/db.hpp"

namespace mailer::store::postgres {

PgRunClaimer::PgRunClaimer(std::string url, std::string password)
    : url_(std::move(url)), password_(std::move(password)) {}

PgRunClaimer::~PgRunClaimer() {
  if (conn_) libpq().finish(conn_);  // the server drops the locks with the session
}

pg_conn* PgRunClaimer::connection() {
  if (conn_) return conn_;
  std::string why;
  conn_ = connect(url_, password_, "mailer run claims", why);
  if (!conn_) {
    throw Error(
        Errc::temp_failure,
        fmt::format("cannot connect to database {} for run claims: {}", redact_postgres_url(url_), why),
        "try again");
  }
  return conn_;
}

bool PgRunClaimer::ask(const char* function, std::int64_t key) {
  const auto& pq = libpq();
  const std::string sql = fmt::format("SELECT {}({})", function, key);
  PGresult* r = pq.exec(connection(), sql.c_str());
  const bool ok = pq.result_status(r) == PGRES_TUPLES_OK;
  const bool yes = ok && pq.getvalue(r, 0, 0)[0] == 't';
  std::string why = ok ? std::string() : pq.result_error_message(r);
  pq.clear(r);
  if (!ok)
    throw Error(Errc::temp_failure, fmt::format("database {}: run claim: {}", redact_postgres_url(url_), why),
                "try again");
  return yes;
}

bool PgRunClaimer::try_claim(std::int64_t run) {
  if (mine_.count(run)) return true;
  if (!ask("pg_try_advisory_lock", kRunLockBase + run)) return false;
  mine_.insert(run);
  return true;
}

bool PgRunClaimer::try_share(std::int64_t run) {
  if (shared_.count(run)) return true;
  if (!ask("pg_try_advisory_lock_shared", kRunLockBase + run)) return false;
  shared_.insert(run);
  return true;
}

void PgRunClaimer::release(std::int64_t run) {
  if (mine_.erase(run)) ask("pg_advisory_unlock", kRunLockBase + run);
  if (shared_.erase(run)) ask("pg_advisory_unlock_shared", kRunLockBase + run);
}

bool PgRunClaimer::held(std::int64_t run) {
  if (mine_.count(run)) return false;
  if (!ask("pg_try_advisory_lock", kRunLockBase + run)) return true;
  ask("pg_advisory_unlock", kRunLockBase + run);
  return false;
}

std::int64_t PgRunClaimer::worker() {
  // Random, so that no two processes of the fleet, now or later, share a key; tried again in
  // the unlikely case that a live one has it.
  std::random_device random;
  while (worker_ == 0) {
    const std::int64_t bits =
        (std::int64_t{random()} << 8 | (random() & 0xFF)) & ((std::int64_t{1} << 40) - 1);
    if (ask("pg_try_advisory_lock", kWorkerLockBase + bits)) worker_ = kWorkerLockBase + bits;
  }
  return worker_;
}

}  // namespace mailer::store::postgres
