// Bounce reports (SQL, both drivers).
#include <fmt/format.h>

#include "bounce_reports.hpp"

#include <string>

#include "mailer/base/email_address.hpp"

namespace mailer::store::sql {
namespace {

constexpr const char* kAttemptSelect =
    "SELECT a.id, m.owner, a.email, a.at FROM attempt a JOIN mailing m ON m.id = a.mailing ";

BouncedAttempt read_attempt(const Statement& st) {
  return BouncedAttempt{st.int64(0), st.int64(1), st.text(2), st.int64(3)};
}

constexpr const char* kRecipientColumns =
    "r.recipient, r.status, r.reason, r.severity, r.diagnostic, r.attempt, r.matched_by";

BounceRecipient read_recipient(const Statement& st, int first) {
  BounceRecipient r;
  r.recipient = st.text(first);
  r.status = st.text(first + 1);
  r.reason = st.text(first + 2);
  r.severity = st.text(first + 3);
  r.diagnostic = st.text(first + 4);
  r.attempt = st.opt_int64(first + 5);
  r.matched_by = st.text(first + 6);
  return r;
}

}  // namespace

bool SqlBounceReportStore::known(const std::string& identity, const std::string& message_id) {
  // Two lookups, each by its index (an OR of both scanned the table: quadratic over a mailbox).
  auto by_identity = db_.prepare("SELECT 1 FROM bounce_report WHERE identity = ?");
  by_identity.bind(1, identity);
  if (by_identity.step()) return true;
  if (message_id.empty()) return false;
  auto by_message_id = db_.prepare("SELECT 1 FROM bounce_report WHERE message_id = ? LIMIT 1");
  by_message_id.bind(1, message_id);
  return by_message_id.step();
}

std::optional<Id> SqlBounceReportStore::add(const NewBounceReport& report) {
  auto insert = db_.prepare(
      "INSERT INTO bounce_report (identity, message_id, received_at, kind, raw) VALUES (?, ?, ?, ?, ?) "
      "ON CONFLICT (identity) DO NOTHING RETURNING id");
  insert.bind_all(report.identity, report.message_id, report.received, report.kind);
  insert.bind_blob(5, report.raw);
  if (!insert.step()) return std::nullopt;
  const Id id = insert.int64(0);
  insert.reset();
  auto row = db_.prepare(
      "INSERT INTO bounce_recipient (report, recipient, status, reason, severity, diagnostic, attempt, "
      "matched_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  for (const BounceRecipient& r : report.recipients) {
    row.bind_all(id, r.recipient, r.status, r.reason, r.severity, r.diagnostic, r.attempt, r.matched_by);
    row.run();
    row.reset();
  }
  return id;
}

std::optional<BouncedAttempt> SqlBounceReportStore::attempt_in_run(Id run, Id client) {
  // Through attempt_client: a client has few attempts, whatever the run's size.
  auto st = db_.prepare(std::string(kAttemptSelect) +
                        "WHERE a.client = ?2 AND a.run = ?1 ORDER BY a.at DESC, a.id DESC LIMIT 1");
  st.bind_all(run, client);
  if (!st.step()) return std::nullopt;
  return read_attempt(st);
}

std::optional<BouncedAttempt> SqlBounceReportStore::attempt_by_message_id(const std::string& message_id) {
  std::string bare = message_id;
  if (bare.size() >= 2 && bare.front() == '<' && bare.back() == '>') bare = bare.substr(1, bare.size() - 2);
  if (bare.empty()) return std::nullopt;
  auto st = db_.prepare(std::string(kAttemptSelect) +
                        "WHERE a.message_id IN (?1, '<' || ?1 || '>') ORDER BY a.at DESC, a.id DESC LIMIT 1");
  st.bind(1, bare);
  if (!st.step()) return std::nullopt;
  return read_attempt(st);
}

std::optional<BouncedAttempt> SqlBounceReportStore::latest_attempt_to(const std::string& email, Time since) {
  // Through the clients of that address, owner by owner (index client_email_key), and their
  // attempts (attempt_client): no index on attempt.email to slow every send down. CROSS JOIN
  // keeps this order (SQLite's planner would otherwise scan attempt); PostgreSQL's finds it.
  auto st = db_.prepare(fmt::format(
      "SELECT a.id, m.owner, a.email, a.at FROM account u CROSS JOIN client c CROSS JOIN attempt a {} "
      "JOIN mailing m ON m.id = a.mailing WHERE c.owner = u.id AND c.email_key = ?1 AND a.client = c.id "
      "AND a.at >= ?2 ORDER BY a.at DESC, a.id DESC LIMIT 1",
      db_.dialect() == Dialect::sqlite ? "INDEXED BY attempt_client" : ""));
  st.bind_all(email_key(email), since);
  if (!st.step()) return std::nullopt;
  return read_attempt(st);
}

std::vector<BounceReportRow> SqlBounceReportStore::list(const BounceReportQuery& query) {
  std::string sql = std::string("SELECT b.id, b.received_at, b.kind, ") + kRecipientColumns +
                    " FROM bounce_report b LEFT JOIN bounce_recipient r ON r.report = b.id"
                    " LEFT JOIN attempt a ON a.id = r.attempt LEFT JOIN mailing m ON m.id = a.mailing"
                    " WHERE 1 = 1";
  if (query.owner) sql += " AND m.owner = ?1";
  if (query.unmatched) sql += " AND r.attempt IS NULL AND b.kind IN ('bounce', 'complaint', 'delayed')";
  sql += " ORDER BY b.received_at DESC, b.id DESC, r.id";
  auto st = db_.prepare(sql);
  if (query.owner) st.bind(1, *query.owner);
  std::vector<BounceReportRow> out;
  while (st.step()) {
    BounceReportRow row;
    row.report = st.int64(0);
    row.received = st.int64(1);
    row.kind = st.text(2);
    if (!st.is_null(3)) row.recipient = read_recipient(st, 3);
    out.push_back(std::move(row));
  }
  return out;
}

std::optional<BounceReport> SqlBounceReportStore::report(Id id) {
  auto st =
      db_.prepare("SELECT id, identity, message_id, received_at, kind, raw FROM bounce_report WHERE id = ?");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  BounceReport out;
  out.id = st.int64(0);
  out.identity = st.text(1);
  out.message_id = st.text(2);
  out.received = st.int64(3);
  out.kind = st.text(4);
  out.raw = st.blob(5);
  auto rows = db_.prepare(std::string("SELECT ") + kRecipientColumns +
                          " FROM bounce_recipient r WHERE r.report = ? ORDER BY r.id");
  rows.bind(1, id);
  while (rows.step()) out.recipients.push_back(read_recipient(rows, 0));
  return out;
}

std::vector<Id> SqlBounceReportStore::owners(Id report) {
  auto st = db_.prepare(
      "SELECT DISTINCT m.owner FROM bounce_recipient r JOIN attempt a ON a.id = r.attempt "
      "JOIN mailing m ON m.id = a.mailing WHERE r.report = ?");
  st.bind(1, report);
  std::vector<Id> out;
  while (st.step()) out.push_back(st.int64(0));
  return out;
}

}  // namespace mailer::store::sql
