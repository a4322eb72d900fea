// The SQL drivers' run store: creating runs, taking them up, and closing them (SPEC §3).
#include "runs.hpp"

#include <fmt/format.h>

namespace mailer::store::sql {
namespace {

// The recipients of a mailing as of now: direct clients and group members, each once,
// without those who unsubscribed or are suppressed (bounces). Parameters: ?1 mailing, ?2 owner. Columns: id,
// email, name.
constexpr const char* kResolveRecipients =
    "SELECT c.id, c.email, c.name FROM client c WHERE c.owner = ?2 AND c.unsubscribed_at IS NULL AND "
    "c.suppressed_at IS NULL AND "
    "(c.id IN (SELECT client_id FROM mailing_client WHERE mailing_id = ?1) OR "
    " c.id IN (SELECT gm.client_id FROM group_member gm JOIN mailing_group mg ON mg.group_id = gm.group_id "
    "          WHERE mg.mailing_id = ?1))";

// Each client's last attempt in this mailing (test copies aside) is what counts: one that
// failed and was sent since is not retried. Parameters: ?1 mailing, ?2 owner.
constexpr const char* kLastFailed =
    "SELECT c.id, c.email, c.name FROM client c WHERE c.owner = ?2 AND c.unsubscribed_at IS NULL AND "
    "c.suppressed_at IS NULL AND "
    "(SELECT a.status FROM attempt a JOIN run r ON r.id = a.run WHERE a.mailing = ?1 AND a.client = c.id "
    " AND r.trigger <> 'test' ORDER BY a.id DESC LIMIT 1) = 'failed' AND "
    "NOT EXISTS (SELECT 1 FROM run_recipient rr JOIN run r ON r.id = rr.run WHERE r.mailing = ?1 AND "
    " r.finished_at IS NULL AND rr.client = c.id AND rr.state <> 'done')";

// A run stops when its mailing is stopped: status finished while the run is open means a
// stop for a scheduled or manual run (a mailing finishes only once its runs are closed); a
// retry run may belong to a finished mailing, so for it only a stop after it began counts.
constexpr const char* kStoppedSql =
    "((m.status = 'finished' AND r.trigger <> 'retry') OR "
    " (m.stopped_at IS NOT NULL AND m.stopped_at >= r.started_at))";

constexpr const char* kRunColumns = "r.id, m.id, m.owner, m.message, r.trigger, r.started_at, r.journal";

runs::RunInfo read_run(const Statement& st) {
  return runs::RunInfo{st.int64(0), st.int64(1), st.int64(2),   st.int64(3),
                       st.text(4),  st.int64(5), st.opt_text(6)};
}

std::vector<runs::RunInfo> read_runs(Statement& st) {
  std::vector<runs::RunInfo> out;
  while (st.step()) out.push_back(read_run(st));
  return out;
}

Id insert_run(SqlConnection& db, Id mailing, std::string_view trigger, Time scheduled_for, Time now) {
  auto st = db.prepare(
      "INSERT INTO run (mailing, trigger, scheduled_for, started_at) VALUES (?, ?, ?, ?) RETURNING id");
  st.bind_all(mailing, trigger, scheduled_for, now);
  const Id run = st.returned_id();
  st.reset();
  return run;
}

std::size_t count(Statement& st) {
  st.step();
  auto n = static_cast<std::size_t>(st.int64(0));
  // Ends the statement's read transaction now (see due_recipients).
  st.reset();
  return n;
}

}  // namespace

Statement& SqlRunStore::cached(std::optional<Statement>& slot, const char* sql) {
  if (!slot) slot.emplace(db_.prepare(sql));
  return *slot;
}

Id SqlRunStore::create_run(Id mailing, Id owner, std::string_view trigger, Time scheduled_for, Time now) {
  Id run = 0;
  if (trigger == "schedule") {
    // The unique key is what makes one run per slot, whatever else serializes the ticks.
    auto st = db_.prepare(
        "INSERT INTO run (mailing, trigger, scheduled_for, started_at) VALUES (?, 'schedule', ?, ?) "
        "ON CONFLICT (mailing, scheduled_for) WHERE trigger = 'schedule' DO NOTHING RETURNING id");
    st.bind_all(mailing, scheduled_for, now);
    if (st.step()) run = st.int64(0);
    st.reset();
    if (run == 0) return 0;
  } else {
    run = insert_run(db_, mailing, trigger, scheduled_for, now);
  }
  db_.prepare(fmt::format("INSERT INTO run_recipient (run, client, email, name) "
                          "SELECT ?3, r.id, r.email, r.name FROM ({}) r WHERE TRUE ON CONFLICT DO NOTHING",
                          kResolveRecipients))
      .bind_all(mailing, owner, run)
      .run();
  return run;
}

std::optional<Id> SqlRunStore::create_retry_run(Id mailing, Id owner, Time now) {
  auto failed = db_.prepare(fmt::format("SELECT count(*) FROM ({}) f", kLastFailed));
  failed.bind_all(mailing, owner);
  if (count(failed) == 0) return std::nullopt;
  Id run = insert_run(db_, mailing, "retry", now, now);
  db_.prepare(
         fmt::format("INSERT INTO run_recipient (run, client, email, name) SELECT ?3, f.id, f.email, f.name "
                     "FROM ({}) f",
                     kLastFailed))
      .bind_all(mailing, owner, run)
      .run();
  return run;
}

Id SqlRunStore::create_test_run(Id mailing, Time now) { return insert_run(db_, mailing, "test", now, now); }

void SqlRunStore::finish_run(Id run, Time at) {
  db_.prepare("UPDATE run SET finished_at = ? WHERE id = ?").bind_all(at, run).run();
}

std::optional<Time> SqlRunStore::last_slot(Id mailing) {
  auto st = db_.prepare(
      "SELECT max(scheduled_for) FROM run WHERE mailing = ? AND trigger IN ('schedule', 'manual')");
  st.bind(1, mailing);
  st.step();
  return st.opt_int64(0);
}

std::vector<runs::OpenRun> SqlRunStore::open_runs_of(Id mailing) {
  auto st = db_.prepare(
      "SELECT r.id, m.status = 'finished' FROM run r JOIN mailing m ON m.id = r.mailing "
      "WHERE r.mailing = ? AND r.finished_at IS NULL AND r.trigger <> 'test' ORDER BY r.id");
  st.bind(1, mailing);
  std::vector<runs::OpenRun> out;
  while (st.step()) out.push_back(runs::OpenRun{st.int64(0), st.int64(1) != 0});
  return out;
}

std::optional<Id> SqlRunStore::open_once_run(Id mailing) {
  auto st = db_.prepare(
      "SELECT id FROM run WHERE mailing = ? AND finished_at IS NULL AND trigger IN ('schedule', 'manual') "
      "ORDER BY id LIMIT 1");
  st.bind(1, mailing);
  if (!st.step()) return std::nullopt;
  Id run = st.int64(0);
  st.reset();
  return run;
}

std::vector<runs::RunInfo> SqlRunStore::open_runs(Time now, std::optional<Id> only_run, bool with_paused) {
  std::string sql = fmt::format(
      "SELECT {} FROM run r JOIN mailing m ON m.id = r.mailing JOIN account u ON u.id = m.owner "
      "WHERE r.finished_at IS NULL AND m.enabled = TRUE AND NOT {} AND u.active = TRUE AND u.verified = TRUE "
      "AND "
      "r.trigger <> 'test' AND EXISTS (SELECT 1 FROM run_recipient rr WHERE rr.run = r.id AND "
      "(rr.state = 'pending' OR (rr.state = 'deferred' AND rr.retry_at <= ?1)))",
      kRunColumns, kStoppedSql);
  if (!with_paused) sql += " AND r.paused = FALSE";
  if (only_run) sql += " AND r.id = ?2";
  sql += " ORDER BY r.id";
  auto st = db_.prepare(sql);
  st.bind(1, now);
  if (only_run) st.bind(2, *only_run);
  return read_runs(st);
}

std::vector<runs::RunInfo> SqlRunStore::runs_to_settle() {
  auto st = db_.prepare(fmt::format(
      "SELECT {} FROM run r JOIN mailing m ON m.id = r.mailing WHERE r.finished_at IS NULL AND ({} OR "
      "NOT EXISTS (SELECT 1 FROM run_recipient rr WHERE rr.run = r.id AND rr.state <> 'done')) ORDER BY r.id",
      kRunColumns, kStoppedSql));
  return read_runs(st);
}

bool SqlRunStore::is_open(Id run) {
  auto st = db_.prepare("SELECT finished_at IS NULL FROM run WHERE id = ?");
  st.bind(1, run);
  bool open = st.step() && st.int64(0) != 0;
  st.reset();
  return open;
}

runs::Halt SqlRunStore::halt_of(Id run) {
  static const std::string sql = fmt::format(
      "SELECT {}, m.enabled, u.active AND u.verified FROM run r "
      "JOIN mailing m ON m.id = r.mailing JOIN account u ON u.id = m.owner WHERE r.id = ?",
      kStoppedSql);
  Statement& query = cached(halt_, sql.c_str());
  query.bind(1, run);
  runs::Halt halt = runs::Halt::gone;
  if (query.step()) {
    if (query.int64(0) != 0)
      halt = runs::Halt::stopped;
    else if (query.int64(1) == 0)
      halt = runs::Halt::disabled;
    else if (query.int64(2) == 0)
      halt = runs::Halt::owner_blocked;
    else
      halt = runs::Halt::none;
  }
  // Ends the read transaction at once (see due_recipients).
  query.reset();
  return halt;
}

bool SqlRunStore::claim(Id run, const std::string& claimed_by, const std::optional<std::string>& journal) {
  db_.prepare("UPDATE run SET claimed_by = ?, journal = ? WHERE id = ? AND finished_at IS NULL")
      .bind_all(claimed_by, journal, run)
      .run();
  return db_.changes() == 1;
}

void SqlRunStore::record_error(Id run, const std::string& error, Time now, bool pause) {
  db_.prepare("UPDATE run SET error = ?, error_at = ?, paused = ? WHERE id = ?")
      .bind_all(error, now, pause, run)
      .run();
}

void SqlRunStore::resume_paused(Id mailing) {
  db_.prepare("UPDATE run SET paused = FALSE WHERE mailing = ? AND paused = TRUE AND finished_at IS NULL")
      .bind(1, mailing)
      .run();
}

std::size_t SqlRunStore::left_to_send(Id run) {
  auto st = db_.prepare("SELECT count(*) FROM run_recipient WHERE run = ? AND state <> 'done'");
  st.bind(1, run);
  return count(st);
}

std::size_t SqlRunStore::due_recipients(Id run, Time now) {
  auto st = db_.prepare(
      "SELECT count(*) FROM run_recipient rr JOIN client c ON c.id = rr.client WHERE rr.run = ?1 AND "
      "c.unsubscribed_at IS NULL AND c.suppressed_at IS NULL AND (rr.state = 'pending' OR (rr.state = "
      "'deferred' AND rr.retry_at <= "
      "?2))");
  st.bind_all(run, now);
  // count() resets at once. Left open, a statement's read transaction pins this connection to
  // the database as it was, and the first write of another process (a `client add`, `serve`
  // recording a click, a second sender) would make every later BEGIN IMMEDIATE here fail
  // with SQLITE_BUSY_SNAPSHOT, killing the run midway.
  return count(st);
}

void SqlRunStore::recipients_page(Id run, Id after, Time now, int limit,
                                  std::vector<runs::RunRecipient>& out) {
  // A client who unsubscribed after the run started is skipped: never sent to again (SPEC §3);
  // close_if_done() settles them.
  Statement& page = cached(
      page_,
      "SELECT rr.client, rr.email, rr.name, rr.tries FROM run_recipient rr JOIN client c ON c.id = rr.client "
      "WHERE rr.run = ?1 AND rr.client > ?2 AND c.unsubscribed_at IS NULL AND c.suppressed_at IS NULL AND "
      "(rr.state = 'pending' OR (rr.state = 'deferred' AND rr.retry_at <= ?3)) ORDER BY rr.client LIMIT ?4");
  out.clear();
  page.bind_all(run, after, now, limit);
  while (page.step())
    out.push_back(
        runs::RunRecipient{page.int64(0), page.text(1), page.text(2), static_cast<int>(page.int64(3))});
  page.reset();
}

std::vector<runs::RunRecipient> SqlRunStore::resolve_recipients(Id mailing, Id owner) {
  auto st = db_.prepare(std::string(kResolveRecipients) + " ORDER BY c.id");
  st.bind_all(mailing, owner);
  std::vector<runs::RunRecipient> out;
  while (st.step()) out.push_back(runs::RunRecipient{st.int64(0), st.text(1), st.text(2), 0});
  return out;
}

bool SqlRunStore::close_if_done(Id run, Id mailing, Time now) {
  // Recipients who unsubscribed, or were suppressed by a bounce, while the run was open are
  // done: they get nothing more.
  db_.prepare(
         "UPDATE run_recipient SET state = 'done' WHERE run = ? AND state <> 'done' AND "
         "client IN (SELECT id FROM client WHERE unsubscribed_at IS NOT NULL OR suppressed_at IS NOT NULL)")
      .bind(1, run)
      .run();
  auto left = db_.prepare(fmt::format(
      "SELECT 1 FROM run_recipient WHERE run = ?1 AND state <> 'done' AND "
      "NOT EXISTS (SELECT 1 FROM run r JOIN mailing m ON m.id = r.mailing WHERE r.id = ?1 AND {}) LIMIT 1",
      kStoppedSql));
  left.bind(1, run);
  bool done = !left.step();
  left.reset();
  if (!done) return false;
  db_.prepare("UPDATE run SET finished_at = ?, journal = NULL WHERE id = ? AND finished_at IS NULL")
      .bind_all(now, run)
      .run();
  db_.prepare(
         "UPDATE mailing SET status = 'finished' WHERE id = ?1 AND next_run_at IS NULL AND "
         "NOT EXISTS (SELECT 1 FROM run r WHERE r.mailing = ?1 AND r.finished_at IS NULL)")
      .bind(1, mailing)
      .run();
  return true;
}

}  // namespace mailer::store::sql
