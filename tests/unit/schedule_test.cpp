// Pure scheduling: when a mailing is due and where its next slot falls (SPEC §3).
#include "mailer/core/schedule.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>
#include "test_support.hpp"

using mailer::LocalDateTime;
using mailer::Time;
using mailer::to_local;
using namespace mailer::schedule;

namespace {

using mailer::test::TzGuard;

// A local wall time in the current TZ; the fixtures below never fall in a gap or overlap.
Time local(int y, int mo, int d, int h = 0, int mi = 0) { return mailer::from_local({y, mo, d, h, mi, 0}); }

Time utc(int y, int mo, int d, int h = 0, int mi = 0) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  return timegm(&tm);
}

std::string wall(Time t) {
  const LocalDateTime l = to_local(t);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d", l.year, l.month, l.day, l.hour, l.minute);
  return buf;
}

constexpr Time kHour = 3600;
constexpr Time kDay = 24 * kHour;

}  // namespace

TEST_CASE("schedule: every parses its four names and round-trips (SPEC §1 mailing.every)") {
  for (Every e : {Every::once, Every::daily, Every::weekly, Every::monthly}) {
    CHECK(parse_every(to_string(e)) == e);
  }
  CHECK(to_string(Every::monthly) == "monthly");
  CHECK(parse_every("daily") == Every::daily);
  CHECK_FALSE(parse_every("Daily").has_value());
  CHECK_FALSE(parse_every("yearly").has_value());
  CHECK_FALSE(parse_every("").has_value());
  CHECK_FALSE(parse_every("daily ").has_value());
}

TEST_CASE("schedule: status parses its three names and round-trips (SPEC §1 mailing.status)") {
  for (Status s : {Status::created, Status::running, Status::finished}) {
    CHECK(parse_status(to_string(s)) == s);
  }
  CHECK(to_string(Status::running) == "running");
  CHECK_FALSE(parse_status("stopped").has_value());
  CHECK_FALSE(parse_status("").has_value());
  CHECK_FALSE(parse_status("Finished").has_value());
}

TEST_CASE("schedule: a mailing is due only when every condition of SPEC §3 holds") {
  const Time now = 1'800'000'000;
  MailingState due;
  due.next_run_at = now - 60;
  CHECK(is_due(due, now));

  SUBCASE("next_run_at equal to now is due") {
    due.next_run_at = now;
    CHECK(is_due(due, now));
  }
  SUBCASE("a running mailing stays due") {
    due.status = Status::running;
    CHECK(is_due(due, now));
  }
  SUBCASE("disabled by a manager: not due") {
    due.enabled = false;
    CHECK_FALSE(is_due(due, now));
  }
  SUBCASE("owner blocked or unverified: not due") {
    due.owner_can_send = false;
    CHECK_FALSE(is_due(due, now));
  }
  SUBCASE("finished: not due") {
    due.status = Status::finished;
    CHECK_FALSE(is_due(due, now));
  }
  SUBCASE("next run still ahead: not due") {
    due.next_run_at = now + 1;
    CHECK_FALSE(is_due(due, now));
  }
  SUBCASE("end_at passed: not due") {
    due.end_at = now - 1;
    CHECK_FALSE(is_due(due, now));
  }
  SUBCASE("end_at equal to now: still due") {
    due.end_at = now;
    CHECK(is_due(due, now));
  }
  SUBCASE("end_at ahead: due") {
    due.end_at = now + kDay;
    CHECK(is_due(due, now));
  }
}

TEST_CASE("schedule: slot 0 is start itself and daily/weekly slots keep the wall time") {
  TzGuard tz("Europe/Moscow");
  const Time start = local(2026, 11, 24, 9, 0);
  CHECK(nth_slot(start, Every::daily, 0) == start);
  CHECK(nth_slot(start, Every::once, 0) == start);
  CHECK(wall(nth_slot(start, Every::daily, 1)) == "2026-11-25 09:00");
  CHECK(wall(nth_slot(start, Every::daily, 7)) == "2026-12-01 09:00");
  CHECK(wall(nth_slot(start, Every::daily, 38)) == "2027-01-01 09:00");
  CHECK(wall(nth_slot(start, Every::weekly, 1)) == "2026-12-01 09:00");
  CHECK(wall(nth_slot(start, Every::weekly, 52)) == "2027-11-23 09:00");
}

TEST_CASE("schedule: monthly from 31 January clamps to the month's last day (SPEC §3)") {
  TzGuard tz("Europe/Moscow");
  const Time start = local(2028, 1, 31, 9, 0);
  CHECK(wall(nth_slot(start, Every::monthly, 1)) == "2028-02-29 09:00");
  CHECK(wall(nth_slot(start, Every::monthly, 2)) == "2028-03-31 09:00");
  CHECK(wall(nth_slot(start, Every::monthly, 3)) == "2028-04-30 09:00");
  CHECK(wall(nth_slot(start, Every::monthly, 4)) == "2028-05-31 09:00");
  CHECK(wall(nth_slot(start, Every::monthly, 10)) == "2028-11-30 09:00");
  CHECK(wall(nth_slot(start, Every::monthly, 11)) == "2028-12-31 09:00");
  CHECK(wall(nth_slot(start, Every::monthly, 12)) == "2029-01-31 09:00");
  CHECK(wall(nth_slot(start, Every::monthly, 13)) == "2029-02-28 09:00");  // not a leap year
}

TEST_CASE("schedule: monthly from 29 February falls on 28 February in common years (SPEC §3)") {
  TzGuard tz("Europe/Moscow");
  const Time start = local(2028, 2, 29, 18, 30);
  CHECK(wall(nth_slot(start, Every::monthly, 1)) == "2028-03-29 18:30");
  CHECK(wall(nth_slot(start, Every::monthly, 12)) == "2029-02-28 18:30");
  CHECK(wall(nth_slot(start, Every::monthly, 13)) == "2029-03-29 18:30");
  CHECK(wall(nth_slot(start, Every::monthly, 48)) == "2032-02-29 18:30");
}

TEST_CASE("schedule: monthly from the 30th returns to the 30th after February (SPEC §3)") {
  TzGuard tz("Europe/Moscow");
  const Time start = local(2027, 1, 30, 9, 0);
  CHECK(wall(nth_slot(start, Every::monthly, 1)) == "2027-02-28 09:00");
  CHECK(wall(nth_slot(start, Every::monthly, 2)) == "2027-03-30 09:00");
  CHECK(wall(nth_slot(start, Every::monthly, 3)) == "2027-04-30 09:00");
}

TEST_CASE("schedule: a daily 09:00 mailing stays 09:00 across Moscow's DST changes (SPEC §3)") {
  TzGuard tz("Europe/Moscow");
  SUBCASE("2010-03-28 spring forward: a 23-hour day") {
    const Time start = local(2010, 3, 26, 9, 0);
    CHECK(wall(nth_slot(start, Every::daily, 1)) == "2010-03-27 09:00");
    CHECK(wall(nth_slot(start, Every::daily, 2)) == "2010-03-28 09:00");
    CHECK(wall(nth_slot(start, Every::daily, 3)) == "2010-03-29 09:00");
    CHECK(nth_slot(start, Every::daily, 2) - nth_slot(start, Every::daily, 1) == 23 * kHour);
    CHECK(nth_slot(start, Every::daily, 2) == utc(2010, 3, 28, 5, 0));  // +04 now
  }
  SUBCASE("2010-10-31 fall back: a 25-hour day") {
    const Time start = local(2010, 10, 29, 9, 0);
    CHECK(wall(nth_slot(start, Every::daily, 2)) == "2010-10-31 09:00");
    CHECK(nth_slot(start, Every::daily, 2) - nth_slot(start, Every::daily, 1) == 25 * kHour);
    CHECK(nth_slot(start, Every::daily, 2) == utc(2010, 10, 31, 6, 0));  // +03 now
  }
  SUBCASE("a weekly slot also keeps its wall time") {
    const Time start = local(2010, 3, 21, 9, 0);
    CHECK(wall(nth_slot(start, Every::weekly, 1)) == "2010-03-28 09:00");
    CHECK(nth_slot(start, Every::weekly, 1) - start == 7 * kDay - kHour);
  }
}

TEST_CASE("schedule: a daily 09:00 mailing stays 09:00 across New York's DST changes (SPEC §3)") {
  TzGuard tz("America/New_York");
  const Time start = local(2026, 3, 1, 9, 0);
  CHECK(wall(nth_slot(start, Every::daily, 7)) == "2026-03-08 09:00");
  CHECK(nth_slot(start, Every::daily, 7) == utc(2026, 3, 8, 13, 0));  // EDT
  CHECK(nth_slot(start, Every::daily, 6) == utc(2026, 3, 7, 14, 0));  // EST
  const Time autumn = local(2026, 10, 30, 9, 0);
  CHECK(wall(nth_slot(autumn, Every::daily, 2)) == "2026-11-01 09:00");
  CHECK(nth_slot(autumn, Every::daily, 2) - nth_slot(autumn, Every::daily, 1) == 25 * kHour);
}

TEST_CASE("schedule: a 02:30 slot in the spring-forward gap moves to 03:30 that day only (SPEC §3)") {
  TzGuard tz("America/New_York");
  const Time start = local(2026, 3, 6, 2, 30);
  CHECK(wall(nth_slot(start, Every::daily, 1)) == "2026-03-07 02:30");
  CHECK(wall(nth_slot(start, Every::daily, 2)) == "2026-03-08 03:30");
  CHECK(nth_slot(start, Every::daily, 2) == utc(2026, 3, 8, 7, 30));
  CHECK(wall(nth_slot(start, Every::daily, 3)) == "2026-03-09 02:30");
  CHECK(wall(nth_slot(start, Every::daily, 4)) == "2026-03-10 02:30");
}

TEST_CASE("schedule: a 01:30 slot on the fall-back day is the earlier 01:30 (SPEC §3)") {
  TzGuard tz("America/New_York");
  const Time start = local(2026, 10, 31, 1, 30);
  CHECK(nth_slot(start, Every::daily, 1) == utc(2026, 11, 1, 5, 30));  // 01:30 EDT
  CHECK(wall(nth_slot(start, Every::daily, 2)) == "2026-11-02 01:30");
}

TEST_CASE("schedule: a monthly 02:30 slot that lands in a gap moves forward by the gap") {
  TzGuard tz("America/New_York");
  const Time start = local(2026, 2, 8, 2, 30);
  CHECK(wall(nth_slot(start, Every::monthly, 1)) == "2026-03-08 03:30");
  CHECK(wall(nth_slot(start, Every::monthly, 2)) == "2026-04-08 02:30");
}

TEST_CASE("schedule: a once mailing finishes after its run (SPEC §3)") {
  TzGuard tz("Europe/Moscow");
  const Time start = local(2026, 11, 24, 9, 0);
  CHECK_FALSE(next_run_after(start, Every::once, start, std::nullopt).has_value());
  CHECK_FALSE(next_run_after(start, Every::once, start - kDay, std::nullopt).has_value());
}

TEST_CASE("schedule: after a run the next slot is the first one strictly after now (SPEC §3)") {
  TzGuard tz("Europe/Moscow");
  const Time start = local(2026, 11, 24, 9, 0);
  CHECK(next_run_after(start, Every::daily, start, std::nullopt) == start + kDay);
  CHECK(next_run_after(start, Every::daily, start + 5, std::nullopt) == start + kDay);
  CHECK(next_run_after(start, Every::daily, start + kDay - 1, std::nullopt) == start + kDay);
  CHECK(next_run_after(start, Every::daily, start + kDay, std::nullopt) == start + 2 * kDay);
  CHECK(next_run_after(start, Every::weekly, start, std::nullopt) == start + 7 * kDay);
  CHECK(wall(*next_run_after(start, Every::monthly, start, std::nullopt)) == "2026-12-24 09:00");
}

TEST_CASE("schedule: a manual run before start_at keeps start_at as the next slot (SPEC §3)") {
  TzGuard tz("Europe/Moscow");
  const Time start = local(2026, 11, 24, 9, 0);
  CHECK(next_run_after(start, Every::daily, start - 3 * kDay, std::nullopt) == start);
  CHECK(next_run_after(start, Every::monthly, start - 1, std::nullopt) == start);
}

TEST_CASE("schedule: after downtime the next slot skips the backlog (SPEC §3)") {
  TzGuard tz("Europe/Moscow");
  const Time start = local(2026, 1, 1, 9, 0);
  const Time now = local(2026, 1, 10, 12, 0);  // nine missed days
  CHECK(wall(*next_run_after(start, Every::daily, now, std::nullopt)) == "2026-01-11 09:00");
  CHECK(wall(*next_run_after(start, Every::weekly, now, std::nullopt)) == "2026-01-15 09:00");
  CHECK(wall(*next_run_after(start, Every::monthly, now, std::nullopt)) == "2026-02-01 09:00");
}

TEST_CASE("schedule: next_run_after stays fast and exact after decades of downtime") {
  TzGuard tz("America/New_York");
  const Time start = local(1990, 1, 31, 9, 0);
  const Time now = local(2026, 3, 8, 10, 0);
  const auto begin = std::chrono::steady_clock::now();
  CHECK(wall(*next_run_after(start, Every::daily, now, std::nullopt)) == "2026-03-09 09:00");
  CHECK(wall(*next_run_after(start, Every::weekly, now, std::nullopt)) == "2026-03-11 09:00");  // a Wednesday
  CHECK(wall(*next_run_after(start, Every::monthly, now, std::nullopt)) == "2026-03-31 09:00");
  // Generous: walking 13,000 slots would still pass, but a pathological loop would not.
  CHECK(std::chrono::steady_clock::now() - begin < std::chrono::seconds(2));
}

TEST_CASE("schedule: a next slot past end_at finishes the mailing (SPEC §3)") {
  TzGuard tz("Europe/Moscow");
  const Time start = local(2026, 11, 24, 9, 0);
  const Time next = start + kDay;
  CHECK(next_run_after(start, Every::daily, start, next) == next);  // end_at on the slot: kept
  CHECK_FALSE(next_run_after(start, Every::daily, start, next - 1).has_value());
  CHECK_FALSE(next_run_after(start, Every::monthly, start, start + 20 * kDay).has_value());
  CHECK(next_run_after(start, Every::weekly, start, start + 30 * kDay) == start + 7 * kDay);
}

TEST_CASE("schedule: next_run_after crosses New York's DST changes like the slots do (SPEC §3)") {
  TzGuard tz("America/New_York");
  const Time start = local(2026, 3, 1, 2, 30);
  // A run at 03:00 EDT on the gap day: that day's slot (03:30) is still ahead.
  const Time run = local(2026, 3, 8, 3, 0);
  CHECK(wall(*next_run_after(start, Every::daily, run, std::nullopt)) == "2026-03-08 03:30");
  const Time later = local(2026, 3, 8, 4, 0);
  CHECK(wall(*next_run_after(start, Every::daily, later, std::nullopt)) == "2026-03-09 02:30");
}

TEST_CASE("schedule: next_run_after agrees with walking the slots one by one") {
  for (const char* zone : {"America/New_York", "Europe/Moscow"}) {
    TzGuard tz(zone);
    for (Time start : {local(2010, 1, 31, 2, 30), local(2010, 3, 15, 9, 0), local(2010, 10, 30, 1, 30)}) {
      for (Every every : {Every::daily, Every::weekly, Every::monthly}) {
        // The reference answer walks the slots one at a time as now advances.
        long n = 0;
        for (Time now = start - 2 * kDay; now < start + 500 * kDay; now += 17 * kHour + 59) {
          while (nth_slot(start, every, n) <= now) ++n;
          CAPTURE(zone);
          CAPTURE(start);
          CAPTURE(to_string(every));
          CAPTURE(now);
          REQUIRE(next_run_after(start, every, now, std::nullopt) == nth_slot(start, every, n));
        }
      }
    }
  }
}
