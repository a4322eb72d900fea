// The attempt log: every try with the server's reply (SPEC §1 attempt, §2 report attempts).
#include "mailer/core/attempts.hpp"

#include <fmt/format.h>

#include "mailer/base/bad_request.hpp"
#include "mailer/base/error.hpp"

namespace mailer {

std::vector<Attempt> list_attempts(store::Db& db, const Actor& actor, const AttemptFilter& filter) {
  check_list_all(actor, filter.all);
  if (filter.mailing) {
    auto st = db.prepare("SELECT owner FROM mailing WHERE id = ?");
    st.bind(1, *filter.mailing);
    if (!st.step()) throw Error(Errc::not_found, fmt::format("mailing {} not found", *filter.mailing));
    check_record(actor, st.int64(0), RecordAction::read, fmt::format("mailing {}", *filter.mailing));
  }
  if (filter.status && *filter.status != "sent" && *filter.status != "failed" && *filter.status != "deferred" &&
      *filter.status != "bounced")
    throw Error(kBadRequest, fmt::format("status: unknown status '{}'", *filter.status),
                "use sent, bounced, deferred or failed");
  const char* columns =
      "a.id, a.run, a.mailing, a.client, a.email, a.at, a.status, a.smtp_code, a.server_response";
  std::string scope = "FROM attempt a JOIN mailing m ON m.id = a.mailing WHERE 1";
  if (!filter.all && !filter.mailing) scope += " AND m.owner = ?1";
  if (filter.mailing) scope += " AND a.mailing = ?2";
  // NOCASE folds ASCII only; a non-ASCII local part must be typed as stored.
  if (filter.email) scope += " AND a.email = ?5 COLLATE NOCASE";
  std::string sql;
  if (filter.final) {
    // A window over the scope picks each (run, recipient)'s last attempt in one pass. The
    // recipient is the client; a deleted client's attempts (client NULL) keep the email.
    sql = fmt::format(
        "SELECT * FROM (SELECT {}, row_number() OVER (PARTITION BY a.run, coalesce(a.client, -1), "
        "CASE WHEN a.client IS NULL THEN a.email END ORDER BY a.id DESC) AS nth {}) a WHERE a.nth = 1",
        columns, scope);
  } else {
    sql = fmt::format("SELECT {} {}", columns, scope);
  }
  if (filter.status) sql += " AND a.status = ?3";
  if (filter.since) sql += " AND a.at >= ?4";
  sql += " ORDER BY a.id";
  auto st = db.prepare(sql);
  if (!filter.all && !filter.mailing) st.bind(1, actor.id);
  if (filter.mailing) st.bind(2, *filter.mailing);
  if (filter.status) st.bind(3, *filter.status);
  if (filter.since) st.bind(4, *filter.since);
  if (filter.email) st.bind(5, *filter.email);
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

}  // namespace mailer
