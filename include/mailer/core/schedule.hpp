#pragma once
// Pure scheduling (SPEC §3): no clock inside; the caller passes `now`.
#include <optional>
#include <string_view>

#include "mailer/base/records/mailings.hpp"
#include "mailer/base/time.hpp"

namespace mailer::schedule {

// Every and Status are declared with the Mailing record (base/records/mailings.hpp).

// "once" | "daily" | "weekly" | "monthly"; nullopt for anything else.
std::optional<Every> parse_every(std::string_view text);
std::string_view to_string(Every every);

std::optional<Status> parse_status(std::string_view text);
std::string_view to_string(Status status);

// The n-th slot (n >= 0) of a schedule that starts at `start`: same local wall-clock time,
// n days / weeks / calendar months later; monthly slots fall on start's day of month or
// the month's last day when it is shorter. A wall time in a DST gap moves forward by the gap.
Time nth_slot(Time start, Every every, long n);

// The state of a mailing that decides whether it is due.
struct MailingState {
  bool enabled = true;
  bool owner_can_send = true;  // owner active and verified
  Status status = Status::created;
  Time next_run_at = 0;
  std::optional<Time> end_at;
};

// Due: enabled, owner ok, not finished, next_run_at <= now, and end_at unset or now <= end_at.
bool is_due(const MailingState& mailing, Time now);

// After a run at `now`: the first slot strictly after `now` (whole periods from `start`),
// or nullopt when the mailing is finished (`once`, or that slot is past end_at).
std::optional<Time> next_run_after(Time start, Every every, Time now, std::optional<Time> end_at);

}  // namespace mailer::schedule
