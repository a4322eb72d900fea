// Runs and attempts (SPEC §3). The durability rule shapes everything here: a recipient's
// result is journaled before its connection is given the next recipient, and folded into the
// attempt table in groups, so a killed process loses nothing and repeats at most the copies
// that were in flight.
#include "mailer/dispatch.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <unordered_map>

#include <fmt/format.h>

#include "mailer/compose.hpp"
#include "mailer/error.hpp"
#include "mailer/journal.hpp"
#include "mailer/schedule.hpp"
#include "mailer/smtp.hpp"
#include "mailer/tracking.hpp"
#include "mailer/users.hpp"

namespace mailer {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kPageSize = 512;

// Who is sending a run: an fcntl lock on byte <run id> of "<db>-sendlock". The kernel drops
// it the moment its process dies, so a dead sender's claim is recognised at once.
class RunLocks {
 public:
  explicit RunLocks(const std::string& db_path) {
    if (db_path.empty() || db_path == ":memory:") return;  // one process: nothing to share
    std::string path = db_path + "-sendlock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0)
      throw Error(Errc::internal, fmt::format("cannot open lock file {}: {}", path, std::strerror(errno)));
  }
  ~RunLocks() {
    if (fd_ >= 0) ::close(fd_);
  }
  RunLocks(const RunLocks&) = delete;
  RunLocks& operator=(const RunLocks&) = delete;

  // True when this process now holds the run; false when another live process does.
  bool try_claim(Id run) {
    if (fd_ < 0) return true;
    struct flock lock {};
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    lock.l_start = static_cast<off_t>(run);
    lock.l_len = 1;
    if (::fcntl(fd_, F_SETLK, &lock) == 0) return true;
    if (errno == EACCES || errno == EAGAIN) return false;
    throw Error(Errc::internal, fmt::format("cannot lock run {}: {}", run, std::strerror(errno)));
  }

  void release(Id run) {
    if (fd_ < 0) return;
    struct flock lock {};
    lock.l_type = F_UNLCK;
    lock.l_whence = SEEK_SET;
    lock.l_start = static_cast<off_t>(run);
    lock.l_len = 1;
    ::fcntl(fd_, F_SETLK, &lock);
  }

 private:
  int fd_ = -1;
};

// The recipients of a mailing as of now: direct clients and group members, each once,
// without those who unsubscribed. Parameters: ?1 mailing, ?2 owner.
constexpr const char* kResolveRecipients =
    "SELECT c.id, c.email, c.name FROM client c WHERE c.owner = ?2 AND c.unsubscribed_at IS NULL AND "
    "(c.id IN (SELECT client_id FROM mailing_client WHERE mailing_id = ?1) OR "
    " c.id IN (SELECT gm.client_id FROM group_member gm JOIN mailing_group mg ON mg.group_id = gm.group_id "
    "          WHERE mg.mailing_id = ?1))";

struct RunInfo {
  Id id = 0;
  Id mailing = 0;
  Id owner = 0;
  Id message = 0;
};

// Creates a run with its recipients resolved now; inside the caller's transaction.
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

// Due mailings become runs, all in one BEGIN IMMEDIATE transaction: two overlapping
// `send --due` see each other's schedule advance and never create the same run twice.
void create_due_runs(store::Db& db, Time now) {
  store::Transaction tx(db);
  auto due = db.prepare(
      "SELECT m.id, m.owner, m.start_at, m.end_at, m.every, m.status, m.enabled, m.next_run_at, "
      "u.active AND u.verified FROM mailing m JOIN user u ON u.id = m.owner "
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

mail::MessageTemplate load_template(store::Db& db, Id message) {
  auto st = db.prepare("SELECT subject, body_text, body_html FROM message WHERE id = ?");
  st.bind(1, message);
  if (!st.step()) throw Error(Errc::not_found, fmt::format("message {} not found", message));
  return mail::MessageTemplate{st.text(0), st.text(1), st.opt_text(2)};
}

std::string unsubscribe_url(const Config& config, const std::string& key, Id run, Id client) {
  if (config.tracking_base_url.empty()) return {};
  return fmt::format("{}/u/{}", config.tracking_base_url, tracking_token(key, run, client));
}

// Deliveries are folded into the database in groups of this many, or after this long.
constexpr std::size_t kFoldBatch = 256;
constexpr auto kFoldInterval = std::chrono::milliseconds(200);

// An in-memory database has no file to put a journal beside (and one process only).
bool on_disk(const store::Db& db) { return !db.path().empty() && db.path() != ":memory:"; }

std::string journal_path(const std::string& db_path, Id run) { return fmt::format("{}-run{}.deliveries", db_path, run); }

// Writes journaled results into the attempt table and the run's recipient rows. Idempotent: a
// record applies only while its recipient's tries still equal the record's, so a journal
// folded once already (a crash between the commit and emptying the file) changes nothing.
class AttemptWriter {
 public:
  AttemptWriter(store::Db& db, const RunInfo& run)
      : db_(db), run_(run),
        update_recipient_(db.prepare("UPDATE run_recipient SET state = ?, tries = tries + 1, retry_at = ? "
                                     "WHERE run = ? AND client = ? AND tries = ? AND state <> 'done'")),
        insert_attempt_(db.prepare(
            "INSERT INTO attempt (run, mailing, client, email, at, status, smtp_code, server_response, message_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")),
        recipient_exists_(db.prepare("SELECT 1 FROM run_recipient WHERE run = ? AND client = ?")),
        copy_logged_(db.prepare("SELECT 1 FROM attempt WHERE run = ? AND message_id = ?")) {}

  void apply(std::span<const JournalRecord> records) {
    store::Transaction tx(db_);
    for (const auto& r : records) {
      update_recipient_.bind_all(r.state, r.retry_at, run_.id, r.client, r.tries_before);
      update_recipient_.run();
      std::optional<Id> client = r.client;
      if (db_.changes() != 1) {
        if (exists(recipient_exists_, run_.id, r.client)) continue;  // folded before
        // The client was deleted while its copy was in flight. The copy went out all the
        // same, so the log keeps it (without the client), once.
        if (exists(copy_logged_, run_.id, r.message_id)) continue;
        client.reset();
      }
      insert_attempt_.bind_all(run_.id, run_.mailing, client, r.email, r.at, r.status, r.smtp_code, r.response,
                               r.message_id);
      insert_attempt_.run();
    }
    tx.commit();
  }

 private:
  template <class... Args>
  static bool exists(store::Statement& query, const Args&... args) {
    query.bind_all(args...);
    bool found = query.step();
    query.reset();
    return found;
  }

  store::Db& db_;
  RunInfo run_;
  store::Statement update_recipient_;
  store::Statement insert_attempt_;
  store::Statement recipient_exists_;
  store::Statement copy_logged_;
};

// Sends what is left of one run (pending recipients, and deferred ones whose back-off ended).
class RunSender {
 public:
  RunSender(store::Db& db, const Config& config, const RunInfo& run, const SendRequest& request, SendSummary& summary,
            Time now, std::optional<mail::SmtpSender>& sender)
      : db_(db), config_(config), run_(run), request_(request), summary_(summary), now_(now), sender_(sender),
        composer_(load_template(db, run.message)) {
    if (!config.tracking_base_url.empty()) key_ = tracking_key(db);
    if (on_disk(db)) journal_path_ = journal_path(db.path(), run.id);
  }

  void send() {
    // What a killed sender of this run journaled but did not fold: into the database first,
    // so that those recipients are not sent again.
    if (!journal_path_.empty()) {
      auto left_over = DeliveryJournal::read(journal_path_);
      if (!left_over.empty()) AttemptWriter(db_, run_).apply(left_over);
      DeliveryJournal::remove(journal_path_);
    }
    auto count = db_.prepare(
        "SELECT count(*) FROM run_recipient rr JOIN client c ON c.id = rr.client WHERE rr.run = ?1 AND "
        "c.unsubscribed_at IS NULL AND (rr.state = 'pending' OR (rr.state = 'deferred' AND rr.retry_at <= ?2))");
    count.bind_all(run_.id, now_);
    count.step();
    std::size_t todo = static_cast<std::size_t>(count.int64(0));
    // Ends the statement's read transaction now. Left open, it pins this connection to the
    // database as it was, and the first write of another process (a `client add`, `serve`
    // recording a click, a second sender) would make every later BEGIN IMMEDIATE here fail
    // with SQLITE_BUSY_SNAPSHOT, killing the run midway.
    count.reset();
    base_total_ = summary_.total;
    summary_.total += todo;
    if (todo == 0) return;
    // One sender for all the runs of a `send`: its connections carry on from run to run.
    if (!sender_) sender_.emplace(mail::smtp_settings(config_));
    writer_.emplace(db_, run_);
    if (!journal_path_.empty()) journal_.emplace(journal_path_);
    // A client who unsubscribed after the run started is skipped: never sent to again
    // (SPEC §3); close_run_if_done() settles them.
    page_ = db_.prepare(
        "SELECT rr.client, rr.email, rr.name, rr.tries FROM run_recipient rr JOIN client c ON c.id = rr.client "
        "WHERE rr.run = ?1 AND rr.client > ?2 AND c.unsubscribed_at IS NULL AND "
        "(rr.state = 'pending' OR (rr.state = 'deferred' AND rr.retry_at <= ?3)) ORDER BY rr.client LIMIT ?4");
    halted_ = db_.prepare(
        "SELECT m.status = 'finished' OR m.enabled = 0 OR u.active = 0 FROM mailing m JOIN user u ON u.id = m.owner "
        "WHERE m.id = ?");
    try {
      sender_->run([this] { return next(); }, [this](std::span<const mail::Delivery> batch) { record(batch); });
    } catch (...) {
      // What is journaled stays there when this fails too: the next sender folds it.
      try {
        fold();
      } catch (...) {
      }
      throw;
    }
    fold();
    if (journal_) journal_->remove();
  }

 private:
  struct Pending {
    std::string email;
    int tries = 0;
    std::string message_id;
  };
  struct Queued {
    Id client;
    std::string email, name;
    int tries;
  };

  std::optional<mail::Envelope> next() {
    if (stop_) return std::nullopt;
    if (queue_pos_ == queue_.size()) {
      queue_.clear();
      queue_pos_ = 0;
      // Once a page: a mailing stopped or disabled, or an owner blocked, while this run is
      // being sent stops it here; the rest stays pending.
      halted_.bind(1, run_.mailing);
      bool halted = !halted_.step() || halted_.int64(0) != 0;
      halted_.reset();
      if (halted) {
        stop_ = true;
        return std::nullopt;
      }
      page_.bind_all(run_.id, last_client_, now_, kPageSize);
      while (page_.step())
        queue_.push_back(Queued{page_.int64(0), page_.text(1), page_.text(2), static_cast<int>(page_.int64(3))});
      page_.reset();
      if (queue_.empty()) return std::nullopt;
      last_client_ = queue_.back().client;
    }
    const Queued& q = queue_[queue_pos_++];
    mail::ComposeContext context;
    context.from = config_.smtp.from;
    context.date = current_time();
    context.message_id = mail::make_message_id(config_.smtp.from);
    context.unsubscribe_url = unsubscribe_url(config_, key_, run_.id, q.client);
    mail::Envelope envelope;
    envelope.id = q.client;
    envelope.rcpt = mail::envelope_address(q.email);
    composer_.compose(mail::Recipient{q.email, q.name}, context, envelope.data);
    in_flight_[q.client] = Pending{q.email, q.tries, context.message_id};
    return envelope;
  }

  // Journals a group of finished deliveries (one write), before their connections go on.
  void record(std::span<const mail::Delivery> batch) {
    Time at = current_time();
    std::size_t first = unfolded_.size();
    for (const auto& d : batch) {
      auto it = in_flight_.find(d.id);
      if (it == in_flight_.end()) continue;
      const Pending& p = it->second;
      JournalRecord r;
      r.client = d.id;
      r.tries_before = p.tries;
      r.at = at;
      r.status = "sent";
      r.state = "done";
      bool server_refused = false;
      switch (d.outcome) {
        case mail::Outcome::sent:
          ++summary_.sent;
          break;
        case mail::Outcome::bounced:
          r.status = "bounced";
          ++summary_.bounced;
          break;
        case mail::Outcome::deferred:
          // Not about this recipient: no connection; a 421, the server closing the channel
          // (RFC 5321 4.2.3: overloaded, shutting down, too many connections); or a refusal
          // of the greeting, EHLO, AUTH or MAIL FROM (the transport defers a 5xx there rather
          // than bounce, as the recipient is not at fault). A wrong password, and a provider
          // throttling the sender ("451 4.7.1 Too many messages" to MAIL FROM), look so.
          server_refused = !d.connected || d.smtp_code == 421 || d.session_refused;
          if (server_refused) {
            ++summary_.unavailable;
            summary_.unavailable_reason = d.response;
          }
          if (p.tries + 1 >= config_.max_tries) {
            r.status = "failed";
            ++summary_.failed;
          } else {
            r.status = "deferred";
            r.state = "deferred";
            r.retry_at = at + retry_delay(p.tries + 1);
            ++summary_.deferred;
          }
          break;
      }
      if (d.smtp_code > 0) r.smtp_code = d.smtp_code;
      r.email = p.email;
      r.message_id = p.message_id;
      r.response = d.response;
      unfolded_.push_back(std::move(r));
      // A server that refuses every connection, our login or our sender, from the start or
      // from some point on (a throttle): stop after one refusal per connection in a row
      // instead of using up the whole list's tries; the rest stays pending for a later send.
      if (!server_refused)
        refused_in_a_row_ = 0;
      else if (++refused_in_a_row_ >= static_cast<std::size_t>(config_.smtp.connections))
        stop_ = true;
      in_flight_.erase(it);
    }
    if (!journal_) {
      fold();  // no file to journal to (an in-memory database): commit at once
      return;
    }
    journal_->append(std::span<const JournalRecord>(unfolded_).subspan(first));
    if (unfolded_.size() >= kFoldBatch || Clock::now() - last_fold_ >= kFoldInterval) fold();
  }

  // Moves the journaled results into the attempt table, in one transaction; only then does
  // the progress count them as done.
  void fold() {
    if (unfolded_.empty()) return;
    writer_->apply(unfolded_);
    if (journal_) journal_->clear();
    done_ += unfolded_.size();
    unfolded_.clear();
    last_fold_ = Clock::now();
    if (request_.progress) request_.progress(base_total_ + done_, summary_.total);
  }

  store::Db& db_;
  const Config& config_;
  RunInfo run_;
  const SendRequest& request_;
  SendSummary& summary_;
  Time now_;
  std::optional<mail::SmtpSender>& sender_;
  mail::Composer composer_;
  std::string key_;
  std::string journal_path_;
  std::optional<AttemptWriter> writer_;
  std::optional<DeliveryJournal> journal_;
  std::vector<JournalRecord> unfolded_;  // journaled, not yet in the database
  Clock::time_point last_fold_ = Clock::now();
  store::Statement page_{db_, "SELECT 1"};
  store::Statement halted_{db_, "SELECT 1"};
  std::vector<Queued> queue_;
  std::size_t queue_pos_ = 0;
  Id last_client_ = 0;
  std::unordered_map<Id, Pending> in_flight_;
  std::size_t done_ = 0;
  std::size_t base_total_ = 0;
  std::size_t refused_in_a_row_ = 0;  // session-level refusals since the last recipient-level reply
  bool stop_ = false;
};

// Closes a run whose recipients are all done (or whose mailing was stopped), and finishes its
// mailing when no slot is left.
void close_run_if_done(store::Db& db, Id run, Id mailing, Time now) {
  store::Transaction tx(db);
  // Recipients who unsubscribed while the run was open are done: they get nothing more.
  db.prepare(
        "UPDATE run_recipient SET state = 'done' WHERE run = ? AND state <> 'done' AND "
        "client IN (SELECT id FROM client WHERE unsubscribed_at IS NOT NULL)")
      .bind(1, run)
      .run();
  auto left = db.prepare(
      "SELECT 1 FROM run_recipient WHERE run = ?1 AND state <> 'done' AND "
      "NOT EXISTS (SELECT 1 FROM mailing WHERE id = ?2 AND status = 'finished') LIMIT 1");
  left.bind_all(run, mailing);
  bool done = !left.step();
  left.reset();
  if (done) {
    db.prepare("UPDATE run SET finished_at = ? WHERE id = ? AND finished_at IS NULL").bind_all(now, run).run();
    db.prepare(
          "UPDATE mailing SET status = 'finished' WHERE id = ?1 AND next_run_at IS NULL AND "
          "NOT EXISTS (SELECT 1 FROM run r WHERE r.mailing = ?1 AND r.finished_at IS NULL)")
        .bind(1, mailing)
        .run();
  }
  tx.commit();
}

void process_run(store::Db& db, const Config& config, RunLocks& locks, const RunInfo& run,
                 const SendRequest& request, SendSummary& summary, Time now,
                 std::optional<mail::SmtpSender>& sender) {
  if (!locks.try_claim(run.id)) {  // another live sender has it
    ++summary.busy;
    return;
  }
  ++summary.runs;
  try {
    db.prepare("UPDATE run SET claimed_by = ? WHERE id = ?").bind_all(fmt::format("pid {}", ::getpid()), run.id).run();
    RunSender(db, config, run, request, summary, now, sender).send();
    close_run_if_done(db, run.id, run.mailing, current_time());
  } catch (...) {
    locks.release(run.id);
    throw;
  }
  locks.release(run.id);
}

// Runs whose recipients are all done but which are still open: their sender was killed after
// its last commit and before it closed the run. Closes them, so their mailings can finish,
// and deletes a journal such a sender may have left (everything in it is in the database).
void settle_runs_left_open(store::Db& db, Time now) {
  auto st = db.prepare(
      "SELECT r.id, r.mailing FROM run r WHERE r.finished_at IS NULL AND "
      "NOT EXISTS (SELECT 1 FROM run_recipient rr WHERE rr.run = r.id AND rr.state <> 'done')");
  std::vector<std::pair<Id, Id>> runs;
  while (st.step()) runs.emplace_back(st.int64(0), st.int64(1));
  st.reset();
  for (const auto& [run, mailing] : runs) {
    close_run_if_done(db, run, mailing, now);
    if (on_disk(db)) DeliveryJournal::remove(journal_path(db.path(), run));
  }
}

// Runs with work left whose mailing may send now.
std::vector<RunInfo> open_runs(store::Db& db, Time now, std::optional<Id> only_run) {
  std::string sql =
      "SELECT r.id, m.id, m.owner, m.message FROM run r JOIN mailing m ON m.id = r.mailing "
      "JOIN user u ON u.id = m.owner WHERE r.finished_at IS NULL AND m.enabled = 1 AND m.status <> 'finished' AND "
      "u.active = 1 AND "
      "u.verified = 1 AND EXISTS (SELECT 1 FROM run_recipient rr WHERE rr.run = r.id AND "
      "(rr.state = 'pending' OR (rr.state = 'deferred' AND rr.retry_at <= ?1)))";
  if (only_run) sql += " AND r.id = ?2";
  sql += " ORDER BY r.id";
  auto st = db.prepare(sql);
  st.bind(1, now);
  if (only_run) st.bind(2, *only_run);
  std::vector<RunInfo> runs;
  while (st.step()) runs.push_back(RunInfo{st.int64(0), st.int64(1), st.int64(2), st.int64(3)});
  return runs;
}

// Every copy a run of this mailing would send now, rendered but not sent.
void dry_run_mailing(store::Db& db, const Config& config, Id mailing, Id owner, Id message, const SendRequest& request,
                     SendSummary& summary) {
  mail::MessageTemplate tmpl = load_template(db, message);
  mail::Composer composer(tmpl);
  auto st = db.prepare(std::string(kResolveRecipients) + " ORDER BY c.id");
  st.bind_all(mailing, owner);
  std::string data;
  ++summary.runs;
  while (st.step()) {
    mail::ComposeContext context;
    context.from = config.smtp.from;
    context.date = current_time();
    context.message_id = mail::make_message_id(config.smtp.from);
    context.unsubscribe_url = config.tracking_base_url.empty() ? "" : config.tracking_base_url + "/u/DRY-RUN";
    mail::Recipient to{st.text(1), st.text(2)};
    composer.compose(to, context, data);
    ++summary.total;
    if (request.dry_run_out)
      request.dry_run_out->push_back(
          DryRunCopy{mailing, to.email, mail::render_template(tmpl.subject, to, "", false),
                     data.size()});
  }
}

}  // namespace

Time retry_delay(int tries) {
  // 1, 4, 16, 64 minutes, ... capped at 6 hours: greylisting clears in minutes,
  // a full mailbox or a throttling server needs hours.
  Time delay = 60;
  for (int i = 1; i < tries && delay < 6 * 3600; ++i) delay *= 4;
  return std::min<Time>(delay, 6 * 3600);
}

int send_exit_code(const SendSummary& s) {
  if (s.unavailable > 0 && s.unavailable == s.deferred + s.failed && s.sent == 0 && s.bounced == 0)
    return static_cast<int>(Errc::unavailable);
  if (s.deferred > 0) return static_cast<int>(Errc::temp_failure);
  return 0;
}

SendSummary send_mailing_now(store::Db& db, const Config& config, const Actor& actor, Id mailing_id,
                             const SendRequest& request, Time now) {
  auto start = Clock::now();
  SendSummary summary;
  auto mailing = load_mailing(db, mailing_id);
  if (!mailing) throw Error(Errc::not_found, fmt::format("mailing {} not found", mailing_id));
  check_record(actor, mailing->owner, RecordAction::change, fmt::format("mailing {}", mailing_id));
  if (!mailing->enabled)
    throw Error(Errc::permission, fmt::format("mailing {} is disabled by a manager", mailing_id),
                "a manager can enable it with `mailer mailing enable`");
  if (mailing->status == schedule::Status::finished)
    throw Error(Errc::data, fmt::format("mailing {} is finished", mailing_id),
                "create a new mailing to send the message again");
  auto owner = find_user(db, mailing->owner);
  if (!owner || !owner->active || !owner->verified)
    throw Error(Errc::permission, fmt::format("the owner of mailing {} is blocked or unverified", mailing_id));
  if (request.dry_run) {
    dry_run_mailing(db, config, mailing->id, mailing->owner, mailing->message, request, summary);
    return summary;
  }
  RunLocks locks(db.path());
  Id run = 0;
  {
    store::Transaction tx(db);
    // Read again under the write lock: a `send --due` may have run (and finished) this
    // mailing since it was loaded above.
    auto state = db.prepare("SELECT status FROM mailing WHERE id = ?");
    state.bind(1, mailing->id);
    if (!state.step()) throw Error(Errc::not_found, fmt::format("mailing {} not found", mailing_id));
    bool finished = state.text(0) == "finished";
    state.reset();
    if (finished)
      throw Error(Errc::data, fmt::format("mailing {} is finished", mailing_id),
                  "create a new mailing to send the message again");
    if (mailing->every == schedule::Every::once) {
      // A once mailing has one run (SPEC §3). When cron or another `send` has started it,
      // this continues that run rather than sending everyone a second copy.
      auto open = db.prepare("SELECT id FROM run WHERE mailing = ? AND finished_at IS NULL ORDER BY id LIMIT 1");
      open.bind(1, mailing->id);
      if (open.step()) run = open.int64(0);
      open.reset();
    }
    if (run == 0) {
      run = create_run(db, mailing->id, mailing->owner, "manual", now, now);
      if (mailing->every == schedule::Every::once)
        db.prepare("UPDATE mailing SET status = 'running', next_run_at = NULL WHERE id = ?").bind(1, mailing->id).run();
      else
        db.prepare("UPDATE mailing SET status = 'running' WHERE id = ?").bind(1, mailing->id).run();
    }
    tx.commit();
  }
  std::optional<mail::SmtpSender> sender;
  for (const auto& r : open_runs(db, now, run)) process_run(db, config, locks, r, request, summary, now, sender);
  close_run_if_done(db, run, mailing->id, current_time());
  summary.elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
  return summary;
}

SendSummary send_due(store::Db& db, const Config& config, const SendRequest& request, Time now) {
  auto start = Clock::now();
  SendSummary summary;
  if (request.dry_run) {
    auto st = db.prepare(
        "SELECT m.id, m.owner, m.message, m.enabled, m.status, m.next_run_at, m.end_at, u.active AND u.verified "
        "FROM mailing m JOIN user u ON u.id = m.owner WHERE m.next_run_at IS NOT NULL AND m.next_run_at <= ? "
        "ORDER BY m.id");
    st.bind(1, now);
    while (st.step()) {
      schedule::MailingState state;
      state.enabled = st.int64(3) != 0;
      state.status = schedule::parse_status(st.text(4)).value_or(schedule::Status::created);
      state.next_run_at = st.int64(5);
      state.end_at = st.opt_int64(6);
      state.owner_can_send = st.int64(7) != 0;
      if (schedule::is_due(state, now))
        dry_run_mailing(db, config, st.int64(0), st.int64(1), st.int64(2), request, summary);
    }
    return summary;
  }
  create_due_runs(db, now);
  settle_runs_left_open(db, now);
  auto runs = open_runs(db, now, std::nullopt);
  if (!runs.empty()) {
    RunLocks locks(db.path());
    std::optional<mail::SmtpSender> sender;
    for (const auto& r : runs) process_run(db, config, locks, r, request, summary, now, sender);
  }
  summary.elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
  return summary;
}

}  // namespace mailer
