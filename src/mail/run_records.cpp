#include "run_records.hpp"

#include "mailer/core/schedule.hpp"

namespace mailer::runs {

void create_due_runs(store::Database& db, Time now) {
  store::Transaction tx(db);
  store::RunStore& runs = db.runs();
  store::MailingStore& mailings = db.mailings();
  for (const auto& d : mailings.due(now)) {
    if (d.status == "finished") continue;
    schedule::MailingState state;
    state.status = schedule::parse_status(d.status).value_or(schedule::Status::created);
    state.enabled = d.enabled;
    state.next_run_at = d.next_run_at;
    state.owner_can_send = d.owner_can_send;
    state.end_at = d.end_at;
    if (schedule::is_due(state, now)) {
      runs.create_run(d.id, d.owner, "schedule", d.next_run_at, now);
      auto every = schedule::parse_every(d.every).value_or(schedule::Every::once);
      mailings.mark_running_next(d.id, schedule::next_run_after(d.start_at, every, now, d.end_at));
    } else if (d.end_at && now > *d.end_at) {
      // The end passed while nothing was due: no more slots.
      mailings.end_schedule(d.id);
    }
  }
  // Mailings with no slot left and no open run are finished.
  mailings.finish_idle(now);
  tx.commit();
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

bool claim(store::Database& db, Id run, const std::string& claimed_by,
           const std::optional<std::string>& journal) {
  store::Transaction tx(db);
  bool exists = db.runs().claim(run, claimed_by, journal);
  tx.commit();
  return exists;
}

void close_if_done(store::Database& db, Id run, Id mailing, Time now) {
  store::Transaction tx(db);
  db.runs().close_if_done(run, mailing, now);
  tx.commit();
}

}  // namespace mailer::runs
