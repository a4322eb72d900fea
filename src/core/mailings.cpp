// Mailings (SPEC §2, §3): what is sent to whom and when; the rules here, the rows in the mailing store.
#include <algorithm>
#include <memory>

#include <fmt/format.h>

#include "mailer/base/error.hpp"
#include "mailer/base/validate.hpp"
#include "mailer/core/mailings.hpp"
#include "mailer/core/messages.hpp"
#include "mailer/store/runs.hpp"
#include "record_access.hpp"

namespace mailer {
namespace {

// The owner of mailing `id` after checking that `actor` may do `action` to it.
Id owner_if_allowed(store::Database& db, const Actor& actor, Id id, RecordAction action) {
  return detail::check_owner(actor, db.mailings().owner_of(id), action, fmt::format("mailing {}", id));
}

Mailing must_load(store::Database& db, Id id) {
  auto m = load_mailing(db, id);
  if (!m) throw Error(Errc::not_found, fmt::format("mailing {} not found", id));
  return *m;
}

void check_schedule(Time start, const std::optional<Time>& end) {
  if (end && *end < start)
    throw Error(Errc::data, "end: before `start`", "the end of a mailing must not come before its start");
}

// Replaces the recipients after checking that every client and group is the owner's.
void write_recipients(store::Database& db, Id mailing, Id owner, const std::vector<Id>& clients,
                      const std::vector<std::string>& groups) {
  std::vector<Id> group_ids;
  for (const auto& g : groups) group_ids.push_back(detail::group_id(db, owner, g));
  if (auto foreign = db.clients().first_not_owned(owner, clients))
    throw Error(Errc::not_found, fmt::format("client {} not found", *foreign));
  db.mailings().set_recipients(mailing, clients, group_ids);
}

void check_message_owner(store::Database& db, Id message, Id owner) {
  if (db.messages().owner_of(message) != owner)
    throw Error(Errc::not_found, fmt::format("message {} not found", message));
}

}  // namespace

std::optional<Mailing> load_mailing(store::Database& db, Id id) { return db.mailings().mailing(id); }

Mailing add_mailing(store::Database& db, const Actor& actor, const MailingInput& input, Time now) {
  if (!input.message)
    throw Error(Errc::internal, "add_mailing: a mailing needs its message");  // the caller's to ask
  std::vector<Id> clients = input.clients.value_or(std::vector<Id>{});
  std::vector<std::string> groups = input.groups.value_or(std::vector<std::string>{});
  if (clients.empty() && groups.empty())
    throw Error(Errc::bad_request, "no recipients", "give `client` ID... or `group` NAME...");
  std::string name = input.name.value_or("");
  check_header_value(name, "name");
  Time start = input.start_at.value_or(now);
  check_schedule(start, input.end_at);
  auto every = input.every.value_or(schedule::Every::once);
  store::Transaction tx(db);
  check_message_owner(db, *input.message, actor.id);
  Mailing fields;
  fields.owner = actor.id;
  fields.name = name;
  fields.message = *input.message;
  fields.start_at = start;
  fields.end_at = input.end_at;
  fields.every = every;
  fields.status = schedule::Status::created;
  fields.enabled = true;
  fields.next_run_at = start;
  fields.created_at = now;
  Id id = db.mailings().add(fields);
  write_recipients(db, id, actor.id, clients, groups);
  Mailing m = must_load(db, id);
  tx.commit();
  return m;
}

std::vector<Mailing> list_mailings(store::Database& db, const Actor& actor, Scope scope) {
  check_list_all(actor, scope.all);
  return db.mailings().list(scope.all ? std::nullopt : std::optional<Id>(actor.id));
}

Mailing show_mailing(store::Database& db, const Actor& actor, Id id) {
  owner_if_allowed(db, actor, id, RecordAction::read);
  return must_load(db, id);
}

namespace {

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

Mailing edit_mailing(store::Database& db, const Actor& actor, Id id, const MailingInput& changes, Time now) {
  store::Transaction tx(db);
  Id owner = owner_if_allowed(db, actor, id, RecordAction::change);
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
  if (reschedule) m.next_run_at = rescheduled(m, db.runs().last_slot(id), now);
  db.mailings().update(m);
  if (changes.clients || changes.groups) {
    // --client and --group together name the new recipients (man page): `--client 5` alone
    // leaves the mailing's groups out rather than still sending to them.
    std::vector<Id> clients = changes.clients.value_or(std::vector<Id>{});
    std::vector<std::string> groups = changes.groups.value_or(std::vector<std::string>{});
    if (clients.empty() && groups.empty())
      throw Error(Errc::bad_request, "no recipients", "give `client` ID... or `group` NAME...");
    write_recipients(db, id, owner, clients, groups);
  }
  Mailing out = must_load(db, id);
  tx.commit();
  return out;
}

void remove_mailings(store::Database& db, const Actor& actor, const std::vector<Id>& ids) {
  store::Transaction tx(db);
  const std::unique_ptr<store::RunClaimer> claims = db.run_claimer();
  for (Id id : ids) {
    owner_if_allowed(db, actor, id, RecordAction::change);
    // A run in progress is not pulled from under its sender: stop the mailing first (its
    // sender sees the stop within a second), then remove it.
    for (const runs::OpenRun& run : db.runs().open_runs_of(id)) {
      if (!run.mailing_finished || claims->held(run.id))
        throw Error(Errc::data, fmt::format("mailing {} is being sent (run {}); stop it first", id, run.id),
                    NextStep::stop_mailing, id);
    }
  }
  db.mailings().remove(ids);
  tx.commit();
}

Mailing stop_mailing(store::Database& db, const Actor& actor, Id id, Time now) {
  store::Transaction tx(db);
  owner_if_allowed(db, actor, id, RecordAction::change);
  db.mailings().stop(id, now);
  Mailing m = must_load(db, id);
  tx.commit();
  return m;
}

Mailing set_mailing_enabled(store::Database& db, const Actor& actor, Id id, bool enabled) {
  store::Transaction tx(db);
  require_moderator(actor, enabled ? "mailing enable" : "mailing disable");
  if (!db.mailings().owner_of(id)) throw Error(Errc::not_found, fmt::format("mailing {} not found", id));
  db.mailings().set_enabled(id, enabled);
  Mailing m = must_load(db, id);
  tx.commit();
  return m;
}

}  // namespace mailer
