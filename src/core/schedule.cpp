// Slots are computed in local wall-clock terms from start_at (SPEC §3), never from the previous
// slot, so DST changes and short months cannot make the schedule drift.
#include "mailer/core/schedule.hpp"

#include <algorithm>

namespace mailer::schedule {
namespace {

constexpr Time kDay = 86400;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(std::int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// A lower bound of the slot index reached by `now`, close enough that a few steps finish the
// search: a scheduler that was down for years must not walk every missed slot.
long estimate_index(Time start, Every every, Time now) {
  if (now <= start) return 0;
  long n = 0;
  switch (every) {
    case Every::once:
      return 0;
    case Every::daily:
      n = static_cast<long>(floor_div(now - start, kDay));
      break;
    case Every::weekly:
      n = static_cast<long>(floor_div(now - start, 7 * kDay));
      break;
    case Every::monthly: {
      const LocalDateTime s = to_local(start);
      const LocalDateTime t = to_local(now);
      n = static_cast<long>((t.year - s.year) * 12L + (t.month - s.month));
      break;
    }
  }
  // One period of slack absorbs DST shifts and month-end clamping.
  return std::max(0L, n - 1);
}

}  // namespace

std::optional<Every> parse_every(std::string_view text) {
  if (text == "once") return Every::once;
  if (text == "daily") return Every::daily;
  if (text == "weekly") return Every::weekly;
  if (text == "monthly") return Every::monthly;
  return std::nullopt;
}

std::string_view to_string(Every every) {
  switch (every) {
    case Every::once:
      return "once";
    case Every::daily:
      return "daily";
    case Every::weekly:
      return "weekly";
    case Every::monthly:
      return "monthly";
  }
  return "once";
}

std::optional<Status> parse_status(std::string_view text) {
  if (text == "created") return Status::created;
  if (text == "running") return Status::running;
  if (text == "finished") return Status::finished;
  return std::nullopt;
}

std::string_view to_string(Status status) {
  switch (status) {
    case Status::created:
      return "created";
    case Status::running:
      return "running";
    case Status::finished:
      return "finished";
  }
  return "created";
}

Time nth_slot(Time start, Every every, long n) {
  // Slot 0 is start itself, even when its wall time occurs twice (DST overlap) and
  // from_local would pick the other instant.
  if (n == 0 || every == Every::once) return start;
  LocalDateTime slot = to_local(start);
  switch (every) {
    case Every::once:
      return start;
    case Every::daily:
      slot.day += static_cast<int>(n);  // from_local normalises day overflow
      break;
    case Every::weekly:
      slot.day += static_cast<int>(7 * n);
      break;
    case Every::monthly: {
      const long months = static_cast<long>(slot.year) * 12 + (slot.month - 1) + n;
      slot.year = static_cast<int>(floor_div(months, 12));
      slot.month = static_cast<int>(months - slot.year * 12L) + 1;
      slot.day = std::min(slot.day, days_in_month(slot.year, slot.month));
      break;
    }
  }
  return from_local(slot);
}

bool is_due(const MailingState& mailing, Time now) {
  return mailing.enabled && mailing.owner_can_send && mailing.status != Status::finished &&
         mailing.next_run_at <= now && (!mailing.end_at || now <= *mailing.end_at);
}

std::optional<Time> next_run_after(Time start, Every every, Time now, std::optional<Time> end_at) {
  if (every == Every::once) return std::nullopt;
  // Slots strictly increase with n (a DST shift is far shorter than a period), so the first
  // slot after now is found by stepping from a lower-bound estimate.
  long n = estimate_index(start, every, now);
  while (n > 0 && nth_slot(start, every, n - 1) > now) --n;
  Time slot = nth_slot(start, every, n);
  while (slot <= now) slot = nth_slot(start, every, ++n);
  if (end_at && slot > *end_at) return std::nullopt;
  return slot;
}

}  // namespace mailer::schedule
