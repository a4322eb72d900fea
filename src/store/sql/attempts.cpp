// The SQL drivers' attempt store: the attempt log (SPEC §2 report attempts).
#include "attempts.hpp"

#include <fmt/format.h>

#include "ascii_fold.hpp"

namespace mailer::store::sql {

Id SqlAttemptStore::add_attempt(const NewAttempt& a) {
  auto st = db_.prepare(
      "INSERT INTO attempt (run, mailing, client, email, at, status, smtp_code, server_response, message_id) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
  st.bind_all(a.run, a.mailing, a.client, a.email, a.at, a.status, a.smtp_code, a.server_response,
              a.message_id);
  const Id id = st.returned_id();
  st.reset();
  return id;
}

std::vector<Attempt> SqlAttemptStore::list_attempts(const AttemptQuery& q) {
  const char* columns =
      "a.id, a.run, a.mailing, a.client, a.email, a.at, a.status, a.smtp_code, a.server_response";
  std::string scope = "FROM attempt a JOIN mailing m ON m.id = a.mailing WHERE TRUE";
  if (q.owner) scope += " AND m.owner = ?1";
  if (q.mailing) scope += " AND a.mailing = ?2";
  // ASCII letters folded, as SQLite's NOCASE did; a non-ASCII local part must be typed as
  // stored. ?5 is folded here and the column by ascii_fold_sql(), which both backends evaluate
  // alike. lower() is only a fast first test that every match passes (it folds ASCII alone in
  // SQLite, every script in PostgreSQL, where a Turkish collation would need COLLATE "C"), so
  // that the spelled-out fold, 30 times slower, sees few rows.
  if (q.email) scope += fmt::format(" AND lower(a.email) = lower(?5) AND {} = ?5", ascii_fold_sql("a.email"));
  std::string sql;
  if (q.final) {
    // A window over the scope picks each (run, recipient)'s last attempt in one pass. The
    // recipient is the client; a deleted client's attempts (client NULL) keep the email.
    sql = fmt::format(
        "SELECT * FROM (SELECT {}, row_number() OVER (PARTITION BY a.run, coalesce(a.client, -1), "
        "CASE WHEN a.client IS NULL THEN a.email END ORDER BY a.id DESC) AS nth {}) a WHERE a.nth = 1",
        columns, scope);
  } else {
    sql = fmt::format("SELECT {} {}", columns, scope);
  }
  if (q.status) sql += " AND a.status = ?3";
  if (q.since) sql += " AND a.at >= ?4";
  sql += " ORDER BY a.id";
  auto st = db_.prepare(sql);
  if (q.owner) st.bind(1, *q.owner);
  if (q.mailing) st.bind(2, *q.mailing);
  if (q.status) st.bind(3, *q.status);
  if (q.since) st.bind(4, *q.since);
  if (q.email) st.bind(5, ascii_fold(*q.email));
  std::vector<Attempt> out;
  while (st.step()) {
    Attempt a;
    a.id = st.int64(0);
    a.run = st.int64(1);
    a.mailing = st.int64(2);
    a.client = st.opt_int64(3);
    a.email = st.text(4);
    a.at = st.int64(5);
    a.status = st.text(6);
    if (auto code = st.opt_int64(7)) a.smtp_code = static_cast<int>(*code);
    a.server_response = st.text(8);
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace mailer::store::sql
