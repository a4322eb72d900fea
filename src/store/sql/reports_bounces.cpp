// The SQL drivers' report store: the bounce events by reason (issue 12, item 5; `report bounces`, the
// reasons beneath `report --mailing` and in `report --html`).
#include <fmt/format.h>

#include "reports.hpp"

namespace mailer::store::sql {

std::vector<BounceEventReason> SqlReportStore::bounce_events(const ReportQuery& q, bool per_mailing) {
  // The detail is the JSON object core wrote (reason, status, severity, diagnostic, source);
  // one that is no JSON (written by hand) reads as nothing said: undefined, soft. A recipient
  // is the attempt's client, or its address once the client is deleted. The example is the
  // diagnostic of the group's latest event, picked by a window in the same pass.
  const bool sqlite = db_.dialect() == Dialect::sqlite;
  // SQLite's JSON functions, or PostgreSQL's operators on mailer_json() (011_schema.sql), which
  // is NULL for a detail that is no JSON as json_valid() is false.
  auto field = [&](const char* name) {
    return sqlite ? fmt::format("json_extract(d, '$.{}')", name) : fmt::format("(d ->> '{}')", name);
  };
  const std::string sql = fmt::format(
      "WITH b AS (SELECT e.id, e.at, {0} AS mailing, e.kind, "
      "{3} AS d, "
      "CASE WHEN a.client IS NOT NULL THEN 'c' || a.client ELSE 'e' || a.email END AS rkey "
      "FROM event e JOIN run r ON r.id = e.run JOIN mailing m ON m.id = r.mailing "
      "JOIN attempt a ON a.id = e.attempt WHERE {1} AND e.kind IN ('bounce', 'complaint')), "
      "g AS (SELECT id, at, mailing, kind, rkey, "
      "coalesce(nullif(CAST({4} AS TEXT), ''), "
      "CASE WHEN kind = 'complaint' THEN 'complaint' ELSE 'undefined' END) AS reason, "
      "CASE WHEN kind = 'complaint' THEN '' WHEN {5} = 'hard' THEN 'hard' "
      "ELSE 'soft' END AS severity, "
      "coalesce(CAST({6} AS TEXT), '') AS diagnostic FROM b), "
      "w AS (SELECT g.*, row_number() OVER (PARTITION BY mailing, kind, reason, severity "
      "ORDER BY at DESC, id DESC) AS nth FROM g) "
      "SELECT mailing, kind, reason, severity, count(*), count(DISTINCT rkey), "
      "max(CASE WHEN nth = 1 THEN diagnostic END) FROM w GROUP BY mailing, kind, reason, severity "
      "ORDER BY {2}5 DESC, kind, reason, severity",
      per_mailing ? "r.mailing" : "0", run_scope(q), per_mailing ? "mailing, " : "",
      sqlite ? "CASE WHEN json_valid(e.detail) THEN e.detail END" : "mailer_json(e.detail)", field("reason"),
      field("severity"), field("diagnostic"));
  auto st = db_.prepare(sql);
  bind_scope(st, q);
  std::vector<BounceEventReason> out;
  while (st.step()) {
    BounceEventReason r;
    r.mailing = st.int64(0);
    r.kind = st.text(1);
    r.reason = st.text(2);
    r.severity = st.text(3);
    r.bounces = st.int64(4);
    r.recipients = st.int64(5);
    r.example = st.text(6);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace mailer::store::sql
