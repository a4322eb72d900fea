#pragma once
// The repository of mailings, their schedule and status, and their recipients (clients and
// groups). It checks no access: core does, on the owners it reads here.
#include <optional>
#include <span>
#include <vector>

#include "mailer/base/ids.hpp"
#include "mailer/base/records/mailings.hpp"
#include "mailer/base/time.hpp"

namespace mailer::store {

class MailingStore {
 public:
  virtual ~MailingStore() = default;

  // The owner of mailing `id`; none when there is no such mailing.
  virtual std::optional<Id> owner_of(Id id) = 0;
  // Mailing `id` with its owner's email, its clients (by id) and its groups (by name).
  virtual std::optional<Mailing> mailing(Id id) = 0;
  // `owner`'s mailings, or everyone's when unset, by id, each as mailing() reads it.
  virtual std::vector<Mailing> list(std::optional<Id> owner) = 0;
  // Adds `m` without recipients (id, owner_email, clients and groups ignored); its id.
  virtual Id add(const Mailing& m) = 0;
  // Rewrites the name, message and schedule (start, end, every, next run) of mailing `m.id`;
  // its status, enabled flag and recipients stay.
  virtual void update(const Mailing& m) = 0;
  // Replaces the mailing's recipients by `clients` and the groups `group_ids` (duplicates once).
  virtual void set_recipients(Id id, std::span<const Id> clients, std::span<const Id> group_ids) = 0;
  // The first mailing (by id) that sends message `message`: a message in use is not removed.
  virtual std::optional<Id> first_using_message(Id message) = 0;
  // The first mailing (by id) that sends to group `group`: a group in use is not removed.
  virtual std::optional<GroupUser> first_using_group(Id group) = 0;
  // Finishes the mailing at `now`: no next run, and a run being sent sees the stop.
  virtual void stop(Id id, Time now) = 0;
  // Enables or disables the mailing.
  virtual void set_enabled(Id id, bool enabled) = 0;
  // Removes the mailings with their recipients and runs.
  virtual void remove(std::span<const Id> ids) = 0;

  // The summaries of `owner`'s mailings, or everyone's when unset, by mailing id: its subject,
  // its recipients as a run started now would resolve them, and its last run's tally.
  virtual std::vector<MailingSummary> summaries(std::optional<Id> owner) = 0;
  // Mailing `id`'s summary, as summaries() reads it; none when there is no such mailing.
  virtual std::optional<MailingSummary> summary(Id id) = 0;
  // The schedule as runs start and end (SPEC §3). Writes join the caller's transaction.
  // Mailings whose next_run_at is at or before `now` (finished ones included), by id.
  virtual std::vector<DueMailing> due(Time now) = 0;
  // The mailing's status as stored; nullopt when it is gone.
  virtual std::optional<schedule::Status> status(Id id) = 0;
  // Status running, the schedule left as it is (a manual run of a repeating mailing).
  virtual void mark_running(Id id) = 0;
  // Status running with its next slot (none: no slot left).
  virtual void mark_running_next(Id id, std::optional<Time> next_run_at) = 0;
  // No slot left (its end passed while nothing was due).
  virtual void end_schedule(Id id) = 0;
  // Mailings with no slot left (none, or past their end at `now`) and no open run: finished.
  virtual void finish_idle(Time now) = 0;
};

}  // namespace mailer::store
