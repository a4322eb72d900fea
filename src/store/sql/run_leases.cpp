// The SQL drivers' run store, the leases of a shared run (PostgreSQL's fleet, SPEC §3): which
// worker sends which recipient. A lease is the recipient's lease_owner (a worker's key, an
// advisory lock it holds while it lives) and lease_until (the server's clock, in ms), so that
// the hosts' clocks do not matter.
#include <fmt/format.h>

#include <algorithm>

#include "mailer/base/error.hpp"
#include "runs.hpp"

namespace mailer::store::sql {
namespace {

constexpr const char* kNowMs = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

void require_postgres(SqlConnection& db) {
  if (db.dialect() != Dialect::postgres)
    throw Error(Errc::internal, fmt::format("database {}: runs are shared only on PostgreSQL", db.name()));
}

// The workers alive are those holding their key's lock (a bigint key shows in pg_locks as
// classid, objid and objsubid 1), read once per page. SKIP LOCKED: rows another worker is
// leasing now go to it, and this one takes the next.
std::string lease_sql(bool orphans_only) {
  return fmt::format(
      "WITH live AS MATERIALIZED (SELECT (l.classid::bigint << 32) | l.objid::bigint AS holder FROM pg_locks "
      "l "
      "WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted AND "
      "l.database = (SELECT oid FROM pg_database WHERE datname = current_database())), "
      "pick AS (SELECT r.client FROM run_recipient r JOIN client c ON c.id = r.client "
      "WHERE r.run = ?1 AND r.client > ?3 AND c.unsubscribed_at IS NULL AND c.suppressed_at IS NULL AND "
      "(r.state = 'pending' OR (r.state = 'deferred' AND r.retry_at <= ?4)) AND "
      "{1} (r.lease_owner <> ?2 AND (r.lease_until < {0} OR "
      "r.lease_owner NOT IN (SELECT holder FROM live)))) "
      "ORDER BY r.client LIMIT ?5 FOR UPDATE OF r SKIP LOCKED) "
      "UPDATE run_recipient rr SET lease_owner = ?2, lease_until = {0} + ?6 FROM pick "
      "WHERE rr.run = ?1 AND rr.client = pick.client RETURNING rr.client, rr.email, rr.name, rr.tries",
      kNowMs, orphans_only ? "(" : "(r.lease_owner IS NULL OR");
}

}  // namespace

void SqlRunStore::lease_page(Id run, Id worker, Id after, Time now, int limit, int lease_ms,
                             bool orphans_only, std::vector<runs::RunRecipient>& out) {
  require_postgres(db_);
  static const std::string sql[2] = {lease_sql(false), lease_sql(true)};
  Statement& page = orphans_only ? cached(lease_orphans_, sql[1].c_str()) : cached(lease_, sql[0].c_str());
  out.clear();
  page.bind_all(run, worker, after, now, limit, lease_ms);
  while (page.step())
    out.push_back(
        runs::RunRecipient{page.int64(0), page.text(1), page.text(2), static_cast<int>(page.int64(3))});
  page.reset();
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.client < b.client; });
}

void SqlRunStore::renew_leases(Id run, Id worker, int lease_ms, std::vector<Id>& mine) {
  require_postgres(db_);
  static const std::string sql = fmt::format(
      "UPDATE run_recipient SET lease_until = {} + ?3 WHERE lease_owner = ?2 AND run = ?1 AND state <> "
      "'done' "
      "RETURNING client",
      kNowMs);
  Statement& renew = cached(renew_, sql.c_str());
  mine.clear();
  renew.bind_all(run, worker, lease_ms);
  while (renew.step()) mine.push_back(renew.int64(0));
  renew.reset();
}

void SqlRunStore::release_leases(Id run, Id worker) {
  require_postgres(db_);
  db_.prepare(
         "UPDATE run_recipient SET lease_owner = NULL, lease_until = NULL "
         "WHERE lease_owner = ?2 AND run = ?1 AND state <> 'done'")
      .bind_all(run, worker)
      .run();
}

}  // namespace mailer::store::sql
