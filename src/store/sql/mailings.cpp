// Mailings, their recipients, their schedule as runs start and end, and what uses a message or
// a group (SQL, both drivers). A mailing's clients and groups are read as rows
// and gathered here, not by group_concat (SQLite only).
#include "mailings.hpp"

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "ascii_fold.hpp"

namespace mailer::store::sql {
namespace {

constexpr const char* kMailingSelect =
    "SELECT m.id, m.owner, u.email, m.name, m.message, m.start_at, m.end_at, m.every, m.status, m.enabled, "
    "m.next_run_at, m.created_at FROM mailing m JOIN account u ON u.id = m.owner";

// How the schema spells the schedule (its CHECK constraints); an unknown word reads as the
// column's default, as it always has.
std::string_view every_text(schedule::Every every) {
  switch (every) {
    case schedule::Every::daily:
      return "daily";
    case schedule::Every::weekly:
      return "weekly";
    case schedule::Every::monthly:
      return "monthly";
    case schedule::Every::once:
      break;
  }
  return "once";
}

schedule::Every read_every(std::string_view text) {
  if (text == "daily") return schedule::Every::daily;
  if (text == "weekly") return schedule::Every::weekly;
  if (text == "monthly") return schedule::Every::monthly;
  return schedule::Every::once;
}

std::string_view status_text(schedule::Status status) {
  switch (status) {
    case schedule::Status::running:
      return "running";
    case schedule::Status::finished:
      return "finished";
    case schedule::Status::created:
      break;
  }
  return "created";
}

schedule::Status read_status(std::string_view text) {
  if (text == "running") return schedule::Status::running;
  if (text == "finished") return schedule::Status::finished;
  return schedule::Status::created;
}

// The order the group names of a mailing have always had: SQLite's NOCASE, which their column
// had until migration 009 (ASCII letters folded, bytes otherwise), then the bytes.
bool ascii_nocase_less(const std::string& a, const std::string& b) {
  const std::string fa = ascii_fold(a), fb = ascii_fold(b);
  return fa != fb ? fa < fb : a < b;
}

Mailing read_mailing(const Statement& st) {
  Mailing m;
  m.id = st.int64(0);
  m.owner = st.int64(1);
  m.owner_email = st.text(2);
  m.name = st.text(3);
  m.message = st.int64(4);
  m.start_at = st.int64(5);
  m.end_at = st.opt_int64(6);
  m.every = read_every(st.text(7));
  m.status = read_status(st.text(8));
  m.enabled = st.int64(9) != 0;
  m.next_run_at = st.opt_int64(10);
  m.created_at = st.int64(11);
  return m;
}

}  // namespace

std::vector<Mailing> SqlMailingStore::select(const char* where, std::optional<Id> key) {
  const std::string filter = where;
  auto st = db_.prepare(std::string(kMailingSelect) + filter + " ORDER BY m.id");
  if (key) st.bind(1, *key);
  std::vector<Mailing> out;
  std::unordered_map<Id, std::size_t> index;
  while (st.step()) {
    out.push_back(read_mailing(st));
    index.emplace(out.back().id, out.size() - 1);
  }
  if (out.empty()) return out;
  auto clients = db_.prepare(
      "SELECT mc.mailing_id, mc.client_id FROM mailing_client mc JOIN mailing m ON m.id = mc.mailing_id" +
      filter + " ORDER BY mc.mailing_id, mc.client_id");
  if (key) clients.bind(1, *key);
  // Outside a transaction each statement reads its own snapshot: rows of a mailing added in
  // between, which the first one did not read, are skipped.
  const auto of = [&](Id mailing) {
    auto it = index.find(mailing);
    return it == index.end() ? nullptr : &out[it->second];
  };
  while (clients.step())
    if (Mailing* m = of(clients.int64(0))) m->clients.push_back(clients.int64(1));
  auto groups = db_.prepare(
      "SELECT mg.mailing_id, g.name FROM mailing_group mg JOIN \"group\" g ON g.id = mg.group_id "
      "JOIN mailing m ON m.id = mg.mailing_id" +
      filter + " ORDER BY mg.mailing_id");
  if (key) groups.bind(1, *key);
  while (groups.step())
    if (Mailing* m = of(groups.int64(0))) m->groups.push_back(groups.text(1));
  for (Mailing& m : out) std::sort(m.groups.begin(), m.groups.end(), ascii_nocase_less);
  return out;
}

std::optional<Id> SqlMailingStore::owner_of(Id id) {
  auto st = db_.prepare("SELECT owner FROM mailing WHERE id = ?");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  return st.int64(0);
}

std::optional<Mailing> SqlMailingStore::mailing(Id id) {
  auto found = select(" WHERE m.id = ?", id);
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

std::vector<Mailing> SqlMailingStore::list(std::optional<Id> owner) {
  return owner ? select(" WHERE m.owner = ?", owner) : select("", std::nullopt);
}

Id SqlMailingStore::add(const Mailing& m) {
  auto st = db_.prepare(
      "INSERT INTO mailing (owner, name, message, start_at, end_at, every, status, enabled, next_run_at, "
      "created_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
  st.bind_all(m.owner, m.name, m.message, m.start_at, m.end_at, every_text(m.every), status_text(m.status),
              m.enabled, m.next_run_at, m.created_at);
  const Id id = st.returned_id();
  st.reset();
  return id;
}

void SqlMailingStore::update(const Mailing& m) {
  db_.prepare(
         "UPDATE mailing SET name = ?, message = ?, start_at = ?, end_at = ?, every = ?, next_run_at = ? "
         "WHERE id = ?")
      .bind_all(m.name, m.message, m.start_at, m.end_at, every_text(m.every), m.next_run_at, m.id)
      .run();
}

void SqlMailingStore::set_recipients(Id id, std::span<const Id> clients, std::span<const Id> group_ids) {
  db_.prepare("DELETE FROM mailing_client WHERE mailing_id = ?").bind(1, id).run();
  db_.prepare("DELETE FROM mailing_group WHERE mailing_id = ?").bind(1, id).run();
  auto add_client =
      db_.prepare("INSERT INTO mailing_client (mailing_id, client_id) VALUES (?, ?) ON CONFLICT DO NOTHING");
  for (Id c : clients) {
    add_client.bind_all(id, c);
    add_client.run();
  }
  auto add_group =
      db_.prepare("INSERT INTO mailing_group (mailing_id, group_id) VALUES (?, ?) ON CONFLICT DO NOTHING");
  for (Id g : group_ids) {
    add_group.bind_all(id, g);
    add_group.run();
  }
}

std::optional<Id> SqlMailingStore::first_using_message(Id message) {
  auto st = db_.prepare("SELECT id FROM mailing WHERE message = ? ORDER BY id LIMIT 1");
  st.bind(1, message);
  if (!st.step()) return std::nullopt;
  return st.int64(0);
}

std::optional<GroupUser> SqlMailingStore::first_using_group(Id group) {
  auto st = db_.prepare(
      "SELECT m.id, m.name FROM mailing_group mg JOIN mailing m ON m.id = mg.mailing_id WHERE mg.group_id = "
      "? "
      "ORDER BY m.id LIMIT 1");
  st.bind(1, group);
  if (!st.step()) return std::nullopt;
  return GroupUser{st.int64(0), st.text(1)};
}

void SqlMailingStore::stop(Id id, Time now) {
  db_.prepare("UPDATE mailing SET status = 'finished', next_run_at = NULL, stopped_at = ? WHERE id = ?")
      .bind_all(now, id)
      .run();
}

void SqlMailingStore::set_enabled(Id id, bool enabled) {
  db_.prepare("UPDATE mailing SET enabled = ? WHERE id = ?").bind_all(enabled, id).run();
}

void SqlMailingStore::remove(std::span<const Id> ids) {
  auto del = db_.prepare("DELETE FROM mailing WHERE id = ?");
  for (Id id : ids) {
    del.bind(1, id);
    del.run();
  }
}

std::vector<DueMailing> SqlMailingStore::due(Time now) {
  auto st = db_.prepare(
      "SELECT m.id, m.owner, m.message, m.start_at, m.end_at, m.every, m.status, m.enabled, m.next_run_at, "
      "u.active AND u.verified FROM mailing m JOIN account u ON u.id = m.owner "
      "WHERE m.next_run_at IS NOT NULL AND m.next_run_at <= ? ORDER BY m.id");
  st.bind(1, now);
  std::vector<DueMailing> out;
  while (st.step()) {
    DueMailing d;
    d.id = st.int64(0);
    d.owner = st.int64(1);
    d.message = st.int64(2);
    d.start_at = st.int64(3);
    d.end_at = st.opt_int64(4);
    d.every = st.text(5);
    d.status = st.text(6);
    d.enabled = st.int64(7) != 0;
    d.next_run_at = st.int64(8);
    d.owner_can_send = st.int64(9) != 0;
    out.push_back(std::move(d));
  }
  return out;
}

std::optional<schedule::Status> SqlMailingStore::status(Id id) {
  auto st = db_.prepare("SELECT status FROM mailing WHERE id = ?");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  return read_status(st.text(0));
}

void SqlMailingStore::mark_running(Id id) {
  db_.prepare("UPDATE mailing SET status = 'running' WHERE id = ?").bind(1, id).run();
}

void SqlMailingStore::mark_running_next(Id id, std::optional<Time> next_run_at) {
  db_.prepare("UPDATE mailing SET status = 'running', next_run_at = ? WHERE id = ?")
      .bind_all(next_run_at, id)
      .run();
}

void SqlMailingStore::end_schedule(Id id) {
  db_.prepare("UPDATE mailing SET next_run_at = NULL WHERE id = ?").bind(1, id).run();
}

void SqlMailingStore::finish_idle(Time now) {
  db_.prepare(
         "UPDATE mailing SET status = 'finished' WHERE status <> 'finished' AND "
         "(next_run_at IS NULL OR (end_at IS NOT NULL AND end_at < ?1)) AND "
         "NOT EXISTS (SELECT 1 FROM run r WHERE r.mailing = mailing.id AND r.finished_at IS NULL)")
      .bind(1, now)
      .run();
}

}  // namespace mailer::store::sql
