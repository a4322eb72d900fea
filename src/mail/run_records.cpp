#include "run_records.hpp"

#include <fmt/format.h>

#include "mailer/core/schedule.hpp"

namespace mailer::runs {

const char* const kResolveRecipients =
    "SELECT c.id, c.email, c.name FROM client c WHERE c.owner = ?2 AND c.unsubscribed_at IS NULL AND "
    "(c.id IN (SELECT client_id FROM mailing_client WHERE mailing_id = ?1) OR "
    " c.id IN (SELECT gm.client_id FROM group_member gm JOIN mailing_group mg ON mg.group_id = gm.group_id "
    "          WHERE mg.mailing_id = ?1))";

namespace {

// A run stops when its mailing is stopped: status finished while the run is open means a
// stop for a scheduled or manual run (a mailing finishes only once its runs are closed); a
// retry run may belong to a finished mailing, so for it only a stop after it began counts.
constexpr const char* kStoppedSql =
    "((m.status = 'finished' AND r.trigger <> 'retry') OR "
    " (m.stopped_at IS NOT NULL AND m.stopped_at >= r.started_at))";

constexpr const char* kRunColumns = "r.id, m.id, m.owner, m.message, r.trigger, r.started_at, r.journal";

RunInfo read_run(const store::Statement& st) {
  return RunInfo{st.int64(0), st.int64(1), st.int64(2), st.int64(3), st.text(4), st.int64(5), st.opt_text(6)};
}

}  // namespace

Id create_run(store::Db& db, Id mailing, Id owner, const char* trigger, Time scheduled_for, Time now) {
  db.prepare("INSERT INTO run (mailing, trigger, scheduled_for, started_at) VALUES (?, ?, ?, ?)")
      .bind_all(mailing, trigger, scheduled_for, now)
      .run();
  Id run = db.last_insert_id();
  db.prepare(fmt::format("INSERT OR IGNORE INTO run_recipient (run, client, email, name) "
                         "SELECT {}, r.id, r.email, r.name FROM ({}) r",
                         run, kResolveRecipients))
      .bind_all(mailing, owner)
      .run();
  return run;
}

void create_due_runs(store::Db& db, Time now) {
  store::Transaction tx(db);
  auto due = db.prepare(
      "SELECT m.id, m.owner, m.start_at, m.end_at, m.every, m.status, m.enabled, m.next_run_at, "
      "u.active AND u.verified FROM mailing m JOIN account u ON u.id = m.owner "
      "WHERE m.status <> 'finished' AND m.next_run_at IS NOT NULL AND m.next_run_at <= ?");
  due.bind(1, now);
  struct Due {
    Id id, owner;
    Time start;
    std::optional<Time> end;
    schedule::Every every;
    schedule::MailingState state;
  };
  std::vector<Due> rows;
  while (due.step()) {
    Due d;
    d.id = due.int64(0);
    d.owner = due.int64(1);
    d.start = due.int64(2);
    d.end = due.opt_int64(3);
    d.every = schedule::parse_every(due.text(4)).value_or(schedule::Every::once);
    d.state.status = schedule::parse_status(due.text(5)).value_or(schedule::Status::created);
    d.state.enabled = due.int64(6) != 0;
    d.state.next_run_at = due.int64(7);
    d.state.owner_can_send = due.int64(8) != 0;
    d.state.end_at = d.end;
    rows.push_back(d);
  }
  due.reset();
  for (const auto& d : rows) {
    if (schedule::is_due(d.state, now)) {
      create_run(db, d.id, d.owner, "schedule", d.state.next_run_at, now);
      auto next = schedule::next_run_after(d.start, d.every, now, d.end);
      db.prepare("UPDATE mailing SET status = 'running', next_run_at = ? WHERE id = ?").bind_all(next, d.id).run();
    } else if (d.end && now > *d.end) {
      // The end passed while nothing was due: no more slots.
      db.prepare("UPDATE mailing SET next_run_at = NULL WHERE id = ?").bind(1, d.id).run();
    }
  }
  // Mailings with no slot left and no open run are finished.
  db.prepare(
        "UPDATE mailing SET status = 'finished' WHERE status <> 'finished' AND "
        "(next_run_at IS NULL OR (end_at IS NOT NULL AND end_at < ?1)) AND "
        "NOT EXISTS (SELECT 1 FROM run r WHERE r.mailing = mailing.id AND r.finished_at IS NULL)")
      .bind(1, now)
      .run();
  tx.commit();
}

std::vector<RunInfo> open_runs(store::Db& db, Time now, std::optional<Id> only_run, bool with_paused) {
  std::string sql = fmt::format(
      "SELECT {} FROM run r JOIN mailing m ON m.id = r.mailing JOIN account u ON u.id = m.owner "
      "WHERE r.finished_at IS NULL AND m.enabled = 1 AND NOT {} AND u.active = 1 AND u.verified = 1 AND "
      "r.trigger <> 'test' AND EXISTS (SELECT 1 FROM run_recipient rr WHERE rr.run = r.id AND "
      "(rr.state = 'pending' OR (rr.state = 'deferred' AND rr.retry_at <= ?1)))",
      kRunColumns, kStoppedSql);
  if (!with_paused) sql += " AND r.paused = 0";
  if (only_run) sql += " AND r.id = ?2";
  sql += " ORDER BY r.id";
  auto st = db.prepare(sql);
  st.bind(1, now);
  if (only_run) st.bind(2, *only_run);
  std::vector<RunInfo> out;
  while (st.step()) out.push_back(read_run(st));
  return out;
}

std::vector<RunInfo> runs_to_settle(store::Db& db) {
  auto st = db.prepare(fmt::format(
      "SELECT {} FROM run r JOIN mailing m ON m.id = r.mailing WHERE r.finished_at IS NULL AND ({} OR "
      "NOT EXISTS (SELECT 1 FROM run_recipient rr WHERE rr.run = r.id AND rr.state <> 'done')) ORDER BY r.id",
      kRunColumns, kStoppedSql));
  std::vector<RunInfo> out;
  while (st.step()) out.push_back(read_run(st));
  return out;
}

const char* halt_words(Halt halt) {
  switch (halt) {
    case Halt::none:
      return "";
    case Halt::gone:
      return "was removed";
    case Halt::stopped:
      return "was stopped";
    case Halt::disabled:
      return "was disabled by a manager";
    case Halt::owner_blocked:
      return "owner was blocked";
  }
  return "";
}

HaltCheck::HaltCheck(store::Db& db, Id run)
    : run_(run),
      query_(db.prepare(fmt::format("SELECT {}, m.enabled, u.active AND u.verified FROM run r "
                                    "JOIN mailing m ON m.id = r.mailing JOIN account u ON u.id = m.owner "
                                    "WHERE r.id = ?",
                                    kStoppedSql))) {}

Halt HaltCheck::check() {
  query_.bind(1, run_);
  Halt halt = Halt::gone;
  if (query_.step()) {
    if (query_.int64(0) != 0)
      halt = Halt::stopped;
    else if (query_.int64(1) == 0)
      halt = Halt::disabled;
    else if (query_.int64(2) == 0)
      halt = Halt::owner_blocked;
    else
      halt = Halt::none;
  }
  // Ends the read transaction at once (see RunSender::send on BUSY_SNAPSHOT).
  query_.reset();
  return halt;
}

bool claim(store::Db& db, Id run, const std::string& claimed_by, const std::optional<std::string>& journal) {
  store::Transaction tx(db);
  db.prepare("UPDATE run SET claimed_by = ?, journal = ? WHERE id = ? AND finished_at IS NULL")
      .bind_all(claimed_by, journal, run)
      .run();
  bool exists = db.changes() == 1;
  tx.commit();
  return exists;
}

void forget_journal(store::Db& db, Id run) {
  db.prepare("UPDATE run SET journal = NULL WHERE id = ?").bind(1, run).run();
}

void record_error(store::Db& db, Id run, const std::string& error, Time now, bool pause) {
  db.prepare("UPDATE run SET error = ?, error_at = ?, paused = ? WHERE id = ?")
      .bind_all(error, now, pause, run)
      .run();
}

void resume_paused(store::Db& db, Id mailing) {
  db.prepare("UPDATE run SET paused = 0 WHERE mailing = ? AND paused = 1 AND finished_at IS NULL")
      .bind(1, mailing)
      .run();
}

std::size_t left_to_send(store::Db& db, Id run) {
  auto st = db.prepare("SELECT count(*) FROM run_recipient WHERE run = ? AND state <> 'done'");
  st.bind(1, run);
  st.step();
  auto n = static_cast<std::size_t>(st.int64(0));
  st.reset();
  return n;
}

void close_if_done(store::Db& db, Id run, Id mailing, Time now) {
  store::Transaction tx(db);
  // Recipients who unsubscribed while the run was open are done: they get nothing more.
  db.prepare(
        "UPDATE run_recipient SET state = 'done' WHERE run = ? AND state <> 'done' AND "
        "client IN (SELECT id FROM client WHERE unsubscribed_at IS NOT NULL)")
      .bind(1, run)
      .run();
  auto left = db.prepare(fmt::format(
      "SELECT 1 FROM run_recipient WHERE run = ?1 AND state <> 'done' AND "
      "NOT EXISTS (SELECT 1 FROM run r JOIN mailing m ON m.id = r.mailing WHERE r.id = ?1 AND {}) LIMIT 1",
      kStoppedSql));
  left.bind(1, run);
  bool done = !left.step();
  left.reset();
  if (done) {
    db.prepare("UPDATE run SET finished_at = ?, journal = NULL WHERE id = ? AND finished_at IS NULL")
        .bind_all(now, run)
        .run();
    db.prepare(
          "UPDATE mailing SET status = 'finished' WHERE id = ?1 AND next_run_at IS NULL AND "
          "NOT EXISTS (SELECT 1 FROM run r WHERE r.mailing = ?1 AND r.finished_at IS NULL)")
        .bind(1, mailing)
        .run();
  }
  tx.commit();
}

}  // namespace mailer::runs
