#include <algorithm>

#include <fmt/format.h>

#include "mailer/base/bad_request.hpp"
#include "mailer/base/error.hpp"
#include "mailer/store/sqlite/run_claims.hpp"
#include "mailer/core/records.hpp"
#include "mailer/base/validate.hpp"
#include "record_access.hpp"

namespace mailer {
namespace {

constexpr const char* kMailingSelect =
    "SELECT m.id, m.owner, u.email, m.name, m.message, m.start_at, m.end_at, m.every, m.status, m.enabled, "
    "m.next_run_at, m.created_at FROM mailing m JOIN account u ON u.id = m.owner";

Mailing read_mailing(store::Db& db, const store::Statement& st) {
  Mailing m;
  m.id = st.int64(0);
  m.owner = st.int64(1);
  m.owner_email = st.text(2);
  m.name = st.text(3);
  m.message = st.int64(4);
  m.start_at = st.int64(5);
  m.end_at = st.opt_int64(6);
  m.every = schedule::parse_every(st.text(7)).value_or(schedule::Every::once);
  m.status = schedule::parse_status(st.text(8)).value_or(schedule::Status::created);
  m.enabled = st.int64(9) != 0;
  m.next_run_at = st.opt_int64(10);
  m.created_at = st.int64(11);
  auto clients = db.prepare("SELECT client_id FROM mailing_client WHERE mailing_id = ? ORDER BY client_id");
  clients.bind(1, m.id);
  while (clients.step()) m.clients.push_back(clients.int64(0));
  auto groups = db.prepare(
      "SELECT g.name FROM mailing_group mg JOIN \"group\" g ON g.id = mg.group_id WHERE mg.mailing_id = ? "
      "ORDER BY g.name");
  groups.bind(1, m.id);
  while (groups.step()) m.groups.push_back(groups.text(0));
  return m;
}

Mailing must_load(store::Db& db, Id id) {
  auto m = load_mailing(db, id);
  if (!m) throw Error(Errc::not_found, fmt::format("mailing {} not found", id));
  return *m;
}

void check_schedule(Time start, const std::optional<Time>& end) {
  if (end && *end < start)
    throw Error(Errc::data, "end: before `start`", "the end of a mailing must not come before its start");
}

// Replaces the recipients after checking that every client and group is the owner's.
void write_recipients(store::Db& db, Id mailing, Id owner, const std::vector<Id>& clients,
                      const std::vector<std::string>& groups) {
  std::vector<Id> group_ids;
  for (const auto& g : groups) group_ids.push_back(detail::group_id(db, owner, g));
  auto owner_of = db.prepare("SELECT owner FROM client WHERE id = ?");
  for (Id c : clients) {
    owner_of.bind(1, c);
    if (!owner_of.step() || owner_of.int64(0) != owner)
      throw Error(Errc::not_found, fmt::format("client {} not found", c));
    owner_of.reset();
  }
  db.prepare("DELETE FROM mailing_client WHERE mailing_id = ?").bind(1, mailing).run();
  db.prepare("DELETE FROM mailing_group WHERE mailing_id = ?").bind(1, mailing).run();
  auto add_client = db.prepare("INSERT OR IGNORE INTO mailing_client (mailing_id, client_id) VALUES (?, ?)");
  for (Id c : clients) {
    add_client.bind_all(mailing, c);
    add_client.run();
  }
  auto add_group = db.prepare("INSERT OR IGNORE INTO mailing_group (mailing_id, group_id) VALUES (?, ?)");
  for (Id g : group_ids) {
    add_group.bind_all(mailing, g);
    add_group.run();
  }
}

void check_message_owner(store::Db& db, Id message, Id owner) {
  auto st = db.prepare("SELECT owner FROM message WHERE id = ?");
  st.bind(1, message);
  if (!st.step() || st.int64(0) != owner) throw Error(Errc::not_found, fmt::format("message {} not found", message));
}

}  // namespace

std::optional<Mailing> load_mailing(store::Db& db, Id id) {
  auto st = db.prepare(std::string(kMailingSelect) + " WHERE m.id = ?");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  return read_mailing(db, st);
}

Mailing add_mailing(store::Db& db, const Actor& actor, const MailingInput& input, Time now) {
  if (!input.message) throw Error(Errc::internal, "add_mailing: a mailing needs its message");  // the caller's to ask
  std::vector<Id> clients = input.clients.value_or(std::vector<Id>{});
  std::vector<std::string> groups = input.groups.value_or(std::vector<std::string>{});
  if (clients.empty() && groups.empty())
    throw Error(kBadRequest, "no recipients", "give `client` ID... or `group` NAME...");
  std::string name = input.name.value_or("");
  check_header_value(name, "name");
  Time start = input.start_at.value_or(now);
  check_schedule(start, input.end_at);
  auto every = input.every.value_or(schedule::Every::once);
  store::Transaction tx(db);
  check_message_owner(db, *input.message, actor.id);
  db.prepare("INSERT INTO mailing (owner, name, message, start_at, end_at, every, status, enabled, next_run_at, "
             "created_at) VALUES (?, ?, ?, ?, ?, ?, 'created', 1, ?, ?)")
      .bind_all(actor.id, name, *input.message, start, input.end_at, std::string(schedule::to_string(every)), start,
                now)
      .run();
  Id id = db.last_insert_id();
  write_recipients(db, id, actor.id, clients, groups);
  Mailing m = must_load(db, id);
  tx.commit();
  return m;
}

std::vector<Mailing> list_mailings(store::Db& db, const Actor& actor, Scope scope) {
  check_list_all(actor, scope.all);
  auto st = db.prepare(std::string(kMailingSelect) + (scope.all ? " ORDER BY m.id" : " WHERE m.owner = ? ORDER BY m.id"));
  if (!scope.all) st.bind(1, actor.id);
  std::vector<Mailing> out;
  while (st.step()) out.push_back(read_mailing(db, st));
  return out;
}

Mailing show_mailing(store::Db& db, const Actor& actor, Id id) {
  detail::checked_owner(db, actor, "mailing", "mailing", id, RecordAction::read);
  return must_load(db, id);
}

namespace {

// The slot of the mailing's last scheduled or manual run, if it had one.
std::optional<Time> last_run_slot(store::Db& db, Id mailing) {
  auto st = db.prepare(
      "SELECT max(scheduled_for) FROM run WHERE mailing = ? AND trigger IN ('schedule', 'manual')");
  st.bind(1, mailing);
  st.step();
  auto slot = st.opt_int64(0);
  st.reset();
  return slot;
}

// The next run after an edit of the schedule. Changing the period keeps the last run and
// takes the first slot of the new schedule after it, never one in the past: a daily mailing
// that ran this morning and becomes weekly runs next week, not again now. Only a new start
// moves the schedule; before the first run, a start in the past is due at once (a scheduler
// that was down sends once), after it the first slot after now.
std::optional<Time> rescheduled(const Mailing& m, std::optional<Time> last_slot, Time now) {
  if (!last_slot) return m.start_at;
  if (m.every == schedule::Every::once) return std::nullopt;  // its one run happened
  return schedule::next_run_after(m.start_at, m.every, std::max(now, *last_slot), m.end_at);
}

}  // namespace

Mailing edit_mailing(store::Db& db, const Actor& actor, Id id, const MailingInput& changes, Time now) {
  store::Transaction tx(db);
  Id owner = detail::checked_owner(db, actor, "mailing", "mailing", id, RecordAction::change);
  Mailing m = must_load(db, id);
  if (changes.message) {
    check_message_owner(db, *changes.message, owner);
    m.message = *changes.message;
  }
  if (changes.name) {
    check_header_value(*changes.name, "name");
    m.name = *changes.name;
  }
  bool reschedule = false;
  if (changes.start_at) {
    m.start_at = *changes.start_at;
    reschedule = true;
  }
  if (changes.clear_end) m.end_at.reset();
  if (changes.end_at) m.end_at = changes.end_at;
  if (changes.every && *changes.every != m.every) {
    m.every = *changes.every;
    reschedule = true;
  }
  check_schedule(m.start_at, m.end_at);
  if (m.status == schedule::Status::finished && (reschedule || changes.end_at || changes.clear_end))
    throw Error(Errc::data, fmt::format("mailing {} is finished", id), "create a new mailing instead");
  if (reschedule) m.next_run_at = rescheduled(m, last_run_slot(db, id), now);
  db.prepare("UPDATE mailing SET name = ?, message = ?, start_at = ?, end_at = ?, every = ?, next_run_at = ? "
             "WHERE id = ?")
      .bind_all(m.name, m.message, m.start_at, m.end_at, std::string(schedule::to_string(m.every)), m.next_run_at, id)
      .run();
  if (changes.clients || changes.groups) {
    // --client and --group together name the new recipients (man page): `--client 5` alone
    // leaves the mailing's groups out rather than still sending to them.
    std::vector<Id> clients = changes.clients.value_or(std::vector<Id>{});
    std::vector<std::string> groups = changes.groups.value_or(std::vector<std::string>{});
    if (clients.empty() && groups.empty())
      throw Error(kBadRequest, "no recipients", "give `client` ID... or `group` NAME...");
    write_recipients(db, id, owner, clients, groups);
  }
  Mailing out = must_load(db, id);
  tx.commit();
  return out;
}

void remove_mailings(store::Db& db, const Actor& actor, const std::vector<Id>& ids) {
  store::Transaction tx(db);
  store::RunClaims claims(db.path());
  auto runs = db.prepare(
      "SELECT r.id, r.finished_at IS NULL AND m.status <> 'finished' FROM run r JOIN mailing m ON m.id = r.mailing "
      "WHERE r.mailing = ? AND r.finished_at IS NULL AND r.trigger <> 'test'");
  for (Id id : ids) {
    detail::checked_owner(db, actor, "mailing", "mailing", id, RecordAction::change);
    // A run in progress is not pulled from under its sender: stop the mailing first (its
    // sender sees the stop within a second), then remove it.
    runs.bind(1, id);
    while (runs.step()) {
      if (runs.int64(1) != 0 || claims.held(runs.int64(0)))
        throw Error(Errc::data, fmt::format("mailing {} is being sent (run {}); stop it first", id, runs.int64(0)),
                    fmt::format("mailer mailing stop {}, then remove it", id));
    }
    runs.reset();
  }
  auto del = db.prepare("DELETE FROM mailing WHERE id = ?");
  for (Id id : ids) {
    del.bind(1, id);
    del.run();
  }
  tx.commit();
}

Mailing stop_mailing(store::Db& db, const Actor& actor, Id id, Time now) {
  store::Transaction tx(db);
  detail::checked_owner(db, actor, "mailing", "mailing", id, RecordAction::change);
  db.prepare("UPDATE mailing SET status = 'finished', next_run_at = NULL, stopped_at = ? WHERE id = ?")
      .bind_all(now, id)
      .run();
  Mailing m = must_load(db, id);
  tx.commit();
  return m;
}

Mailing set_mailing_enabled(store::Db& db, const Actor& actor, Id id, bool enabled) {
  store::Transaction tx(db);
  require_moderator(actor, enabled ? "mailing enable" : "mailing disable");
  auto st = db.prepare("SELECT 1 FROM mailing WHERE id = ?");
  st.bind(1, id);
  if (!st.step()) throw Error(Errc::not_found, fmt::format("mailing {} not found", id));
  db.prepare("UPDATE mailing SET enabled = ? WHERE id = ?").bind_all(enabled, id).run();
  Mailing m = must_load(db, id);
  tx.commit();
  return m;
}

}  // namespace mailer
