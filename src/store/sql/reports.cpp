// The SQL drivers' report store: the per-mailing totals and the home page figures (SPEC §2 report,
// stats). Figures are summed in SQL and joined per mailing here.
#include "reports.hpp"

#include <map>

#include <fmt/format.h>

namespace mailer::store::sql {

std::string run_scope(const ReportQuery& q) {
  std::string s = "r.trigger <> 'test'";
  if (q.owner) s += " AND m.owner = ?1";
  if (q.mailing) s += " AND r.mailing = ?2";
  if (q.since) s += " AND r.started_at >= ?3";
  if (q.until) s += " AND r.started_at <= ?4";
  return s;
}

void bind_scope(Statement& st, const ReportQuery& q) {
  if (q.owner) st.bind(1, *q.owner);
  if (q.mailing) st.bind(2, *q.mailing);
  if (q.since) st.bind(3, *q.since);
  if (q.until) st.bind(4, *q.until);
}

// The recipient of an attempt is its client; a deleted client's attempts (client NULL) keep
// their address apart, as in the attempt log's --final.
std::string final_attempts_cte(const ReportQuery& q) {
  return fmt::format(
      "WITH fin AS (SELECT a.id, a.run, a.mailing, a.client, a.email, a.at, a.status, a.smtp_code, "
      "a.server_response, row_number() OVER (PARTITION BY a.run, coalesce(a.client, -1), "
      "CASE WHEN a.client IS NULL THEN a.email END ORDER BY a.id DESC) AS nth "
      "FROM attempt a JOIN run r ON r.id = a.run JOIN mailing m ON m.id = r.mailing WHERE {}) ",
      run_scope(q));
}

std::vector<MailingReport> SqlReportStore::mailing_totals(const ReportQuery& q) {
  std::string sql =
      "SELECT m.id, m.name, acc.email, msg.subject FROM mailing m JOIN account acc ON acc.id = m.owner "
      "JOIN message msg ON msg.id = m.message WHERE TRUE";
  if (q.owner) sql += " AND m.owner = ?1";
  if (q.mailing) sql += " AND m.id = ?2";
  if (q.since || q.until)
    sql += fmt::format(" AND EXISTS (SELECT 1 FROM run r WHERE r.mailing = m.id AND {})", run_scope(q));
  sql += " ORDER BY m.id";
  std::vector<MailingReport> out;
  std::map<Id, std::size_t> at;
  {
    auto st = db_.prepare(sql);
    bind_scope(st, q);
    while (st.step()) {
      MailingReport r;
      r.mailing = st.int64(0);
      r.name = st.text(1);
      r.owner_email = st.text(2);
      r.subject = st.text(3);
      at[r.mailing] = out.size();
      out.push_back(std::move(r));
    }
  }
  auto row = [&](Id mailing) -> MailingReport* {
    auto it = at.find(mailing);
    return it == at.end() ? nullptr : &out[it->second];
  };
  {
    auto st = db_.prepare(final_attempts_cte(q) +
                          "SELECT mailing, count(*), "
                          "sum(CASE WHEN status = 'sent' THEN 1 ELSE 0 END), "
                          "sum(CASE WHEN status = 'bounced' THEN 1 ELSE 0 END), "
                          "sum(CASE WHEN status = 'deferred' THEN 1 ELSE 0 END), "
                          "sum(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) "
                          "FROM fin WHERE nth = 1 GROUP BY mailing");
    bind_scope(st, q);
    while (st.step()) {
      if (MailingReport* r = row(st.int64(0))) {
        r->recipients += st.int64(1);
        r->sent = st.int64(2);
        r->bounced = st.int64(3);
        r->deferred = st.int64(4);
        r->failed = st.int64(5);
      }
    }
  }
  {
    // Recipients with no attempt yet; one marked done without any (it unsubscribed before its
    // turn) was never a recipient of the run. NOT IN over one list of the covered attempts,
    // not a lookup per recipient: attempt has no index on (run, client).
    auto st = db_.prepare(fmt::format(
        "SELECT r.mailing, count(*) FROM run_recipient rr JOIN run r ON r.id = rr.run "
        "JOIN mailing m ON m.id = r.mailing WHERE {0} AND rr.state <> 'done' "
        "AND (rr.run, rr.client) NOT IN (SELECT a.run, a.client FROM attempt a JOIN run r ON r.id = a.run "
        "JOIN mailing m ON m.id = r.mailing WHERE {0} AND a.client IS NOT NULL) "
        "GROUP BY r.mailing",
        run_scope(q)));
    bind_scope(st, q);
    while (st.step())
      if (MailingReport* r = row(st.int64(0))) r->recipients += st.int64(1);
  }
  {
    auto st = db_.prepare(fmt::format(
        "SELECT mailing, kind, count(*), sum(n) FROM (SELECT r.mailing, e.kind, e.run, e.client, count(*) AS "
        "n "
        "FROM event e JOIN run r ON r.id = e.run JOIN mailing m ON m.id = r.mailing WHERE {} "
        "AND e.kind IN ('open', 'click', 'unsubscribe') AND (e.kind <> 'open' OR e.counted = TRUE) "
        "GROUP BY r.mailing, e.kind, e.run, e.client) per_recipient GROUP BY mailing, kind",
        run_scope(q)));
    bind_scope(st, q);
    while (st.step()) {
      MailingReport* r = row(st.int64(0));
      if (!r) continue;
      const std::string kind = st.text(1);
      if (kind == "open") {
        r->opened = st.int64(2);
        r->opens = st.int64(3);
      } else if (kind == "click") {
        r->clicked = st.int64(2);
        r->clicks = st.int64(3);
      } else {
        r->unsubscribed = st.int64(2);
      }
    }
  }
  return out;
}

Stats SqlReportStore::stats(std::optional<Id> owner) {
  Stats s;
  {
    auto st = db_.prepare(std::string("SELECT count(*), coalesce(sum(CASE WHEN enabled = TRUE AND status <> "
                                      "'finished' THEN 1 ELSE 0 END), 0) FROM mailing m") +
                          (owner ? " WHERE m.owner = ?1" : ""));
    if (owner) st.bind(1, *owner);
    st.step();
    s.mailings = st.int64(0);
    s.active_mailings = st.int64(1);
  }
  {
    auto st = db_.prepare(std::string("SELECT count(*) FROM (SELECT DISTINCT lower(a.email) FROM attempt a "
                                      "JOIN run r ON r.id = a.run JOIN mailing m ON m.id = r.mailing "
                                      "WHERE r.trigger <> 'test' AND a.status = 'sent'") +
                          (owner ? " AND m.owner = ?1" : "") + ") delivered");
    if (owner) st.bind(1, *owner);
    st.step();
    s.unique_recipients = st.int64(0);
  }
  {
    auto st = db_.prepare(std::string("SELECT count(*) FROM post WHERE published = TRUE") +
                          (owner ? " AND author = ?1" : ""));
    if (owner) st.bind(1, *owner);
    st.step();
    s.posts = st.int64(0);
  }
  return s;
}

}  // namespace mailer::store::sql
