// The SQL drivers' report store: one mailing's recipients, its links, activity over time and bounce
// reasons (SPEC §2 report recipients, report links, report --html and the terminal bars).
#include <algorithm>

#include <fmt/format.h>

#include "reports.hpp"

namespace mailer::store::sql {
namespace {

std::optional<int> opt_int(const Statement& st, int col) {
  if (auto v = st.opt_int64(col)) return static_cast<int>(*v);
  return std::nullopt;
}

}  // namespace

std::vector<RecipientReport> SqlReportStore::recipients(Id mailing) {
  ReportQuery q;
  q.mailing = mailing;
  // One pass over the mailing's attempts, windowed by recipient (last attempt, last sent and
  // bounced times) and by recipient and run (tries), and one over its events grouped by
  // client: no statement per recipient, so a mailing of 100,000 is one scan, not 100,000.
  const std::string scope = run_scope(q);
  const std::string sql = fmt::format(
      "WITH att AS (SELECT a.id, a.run, a.client, a.email, a.at, a.status, a.smtp_code, a.server_response, "
      "coalesce(a.client, -1) AS ckey, CASE WHEN a.client IS NULL THEN a.email END AS ekey "
      "FROM attempt a JOIN run r ON r.id = a.run JOIN mailing m ON m.id = r.mailing WHERE {0}), "
      "fin AS (SELECT att.*, row_number() OVER (PARTITION BY ckey, ekey ORDER BY id DESC) AS nth, "
      "count(*) OVER (PARTITION BY run, ckey, ekey) AS tries, "
      "max(CASE WHEN status = 'sent' THEN at END) OVER (PARTITION BY ckey, ekey) AS sent_at, "
      "max(CASE WHEN status = 'bounced' THEN at END) OVER (PARTITION BY ckey, ekey) AS bounced_at FROM att), "
      "ev AS (SELECT e.client, min(CASE WHEN e.kind = 'open' AND e.counted = TRUE THEN e.at END) AS "
      "opened_at, "
      "min(CASE WHEN e.kind = 'click' THEN e.at END) AS clicked_at, "
      "min(CASE WHEN e.kind = 'unsubscribe' THEN e.at END) AS unsubscribed_at "
      "FROM event e JOIN run r ON r.id = e.run JOIN mailing m ON m.id = r.mailing "
      "WHERE {0} AND e.client IS NOT NULL GROUP BY e.client) "
      "SELECT f.client, f.email, coalesce(c.name, ''), f.status, f.smtp_code, f.server_response, f.tries, "
      "f.sent_at, ev.opened_at, ev.clicked_at, ev.unsubscribed_at, f.bounced_at "
      "FROM fin f LEFT JOIN client c ON c.id = f.client LEFT JOIN ev ON ev.client = f.client WHERE f.nth = 1 "
      "UNION ALL "
      "SELECT rr.client, min(rr.email), min(rr.name), 'pending', NULL, '', 0, NULL, NULL, NULL, NULL, NULL "
      "FROM run_recipient rr JOIN run r ON r.id = rr.run JOIN mailing m ON m.id = r.mailing "
      "WHERE {0} AND rr.state <> 'done' AND rr.client NOT IN (SELECT client FROM att WHERE client IS NOT "
      "NULL) "
      "GROUP BY rr.client",
      scope);
  auto st = db_.prepare(sql);
  bind_scope(st, q);
  std::vector<RecipientReport> out;
  while (st.step()) {
    RecipientReport r;
    r.client = st.opt_int64(0);
    r.email = st.text(1);
    r.name = st.text(2);
    r.status = st.text(3);
    r.smtp_code = opt_int(st, 4);
    r.server_response = st.text(5);
    r.tries = st.int64(6);
    r.sent_at = st.opt_int64(7);
    r.opened_at = st.opt_int64(8);
    r.clicked_at = st.opt_int64(9);
    r.unsubscribed_at = st.opt_int64(10);
    r.bounced_at = st.opt_int64(11);
    out.push_back(std::move(r));
  }
  std::stable_sort(out.begin(), out.end(), [](const RecipientReport& a, const RecipientReport& b) {
    return a.email != b.email ? a.email < b.email : a.client < b.client;
  });
  return out;
}

std::vector<LinkReport> SqlReportStore::links(const ReportQuery& q, std::size_t limit) {
  auto st = db_.prepare(fmt::format(
      "SELECT url, sum(n), count(*) FROM (SELECT e.detail AS url, e.run, e.client, count(*) AS n FROM event "
      "e "
      "JOIN run r ON r.id = e.run JOIN mailing m ON m.id = r.mailing WHERE {} AND e.kind = 'click' "
      "GROUP BY e.detail, e.run, e.client) per_recipient GROUP BY url ORDER BY 2 DESC, 1",
      run_scope(q)));
  bind_scope(st, q);
  std::vector<LinkReport> out;
  while (st.step() && (limit == 0 || out.size() < limit))
    out.push_back(LinkReport{st.text(0), st.int64(1), st.int64(2)});
  return out;
}

std::optional<ActivitySpan> SqlReportStore::activity_span(const ReportQuery& q) {
  auto st =
      db_.prepare(fmt::format("SELECT min(a.at), max(a.at) FROM attempt a JOIN run r ON r.id = a.run JOIN "
                              "mailing m ON m.id = r.mailing "
                              "WHERE {}",
                              run_scope(q)));
  bind_scope(st, q);
  if (!st.step() || st.is_null(0)) return std::nullopt;
  ActivitySpan span{st.int64(0), st.int64(1)};
  auto events = db_.prepare(fmt::format(
      "SELECT max(e.at) FROM event e JOIN run r ON r.id = e.run JOIN mailing m ON m.id = r.mailing WHERE {}",
      run_scope(q)));
  bind_scope(events, q);
  if (events.step() && !events.is_null(0)) span.last = std::max(span.last, events.int64(0));
  return span;
}

std::vector<ActivityBucket> SqlReportStore::activity(const ReportQuery& q, std::span<const Time> bounds) {
  std::vector<ActivityBucket> out;
  if (bounds.size() < 2) return out;
  for (std::size_t i = 0; i + 1 < bounds.size(); ++i) out.push_back(ActivityBucket{.start = bounds[i]});
  auto bucket = [&](Time at) -> ActivityBucket* {
    auto it = std::upper_bound(bounds.begin(), bounds.end(), at);
    if (it == bounds.begin() || it == bounds.end()) return nullptr;
    return &out[static_cast<std::size_t>(it - bounds.begin() - 1)];
  };
  // Grouped by second in SQL, so that a big run's thousand sends in one second are one row.
  auto st = db_.prepare(final_attempts_cte(q) +
                        "SELECT at, status, count(*) FROM fin WHERE nth = 1 AND at >= ?5 AND at < ?6 "
                        "GROUP BY at, status");
  bind_scope(st, q);
  st.bind(5, bounds.front()).bind(6, bounds.back());
  while (st.step()) {
    ActivityBucket* b = bucket(st.int64(0));
    if (!b) continue;
    const std::string status = st.text(1);
    const std::int64_t n = st.int64(2);
    if (status == "sent") b->sent += n;
    if (status == "bounced") b->bounced += n;
    if (status == "deferred") b->deferred += n;
    if (status == "failed") b->failed += n;
  }
  auto events = db_.prepare(
      fmt::format("SELECT e.at, e.kind, count(*) FROM event e JOIN run r ON r.id = e.run JOIN mailing m ON "
                  "m.id = r.mailing "
                  "WHERE {} AND e.kind IN ('open', 'click') AND (e.kind <> 'open' OR e.counted = TRUE) "
                  "AND e.at >= ?5 AND e.at < ?6 GROUP BY e.at, e.kind",
                  run_scope(q)));
  bind_scope(events, q);
  events.bind(5, bounds.front()).bind(6, bounds.back());
  while (events.step()) {
    ActivityBucket* b = bucket(events.int64(0));
    if (!b) continue;
    (events.text(1) == "open" ? b->opens : b->clicks) += events.int64(2);
  }
  return out;
}

std::vector<BounceReason> SqlReportStore::bounce_reasons(const ReportQuery& q) {
  auto st =
      db_.prepare(final_attempts_cte(q) +
                  "SELECT smtp_code, server_response, count(*) FROM fin WHERE nth = 1 AND status = 'bounced' "
                  "AND NOT EXISTS (SELECT 1 FROM event e WHERE e.attempt = fin.id AND e.kind = 'bounce') "
                  "GROUP BY smtp_code, server_response ORDER BY 3 DESC, 1, 2");
  bind_scope(st, q);
  std::vector<BounceReason> out;
  while (st.step()) out.push_back(BounceReason{opt_int(st, 0), st.text(1), st.int64(2)});
  return out;
}

}  // namespace mailer::store::sql
