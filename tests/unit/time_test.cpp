// Time parsing, formatting and local-zone conversion (SPEC §1 times, §3 DST rules).
#include "mailer/base/time.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

#include "cli/clock.hpp"
#include "mailer/base/error.hpp"

using mailer::Errc;
using mailer::Error;
using mailer::format_iso;
using mailer::format_local;
using mailer::from_local;
using mailer::LocalDateTime;
using mailer::parse_time;
using mailer::Time;
using mailer::to_local;

namespace {

// Sets an environment variable for one test and puts the old value back, so tests that
// switch zones cannot leak into each other (ctest runs with TZ=Europe/Moscow).
class EnvGuard {
 public:
  EnvGuard(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    set(value);
  }
  ~EnvGuard() { set(old_ ? old_->c_str() : nullptr); }
  EnvGuard(const EnvGuard&) = delete;
  EnvGuard& operator=(const EnvGuard&) = delete;

 private:
  void set(const char* value) {
    if (value) {
      setenv(name_, value, 1);
    } else {
      unsetenv(name_);
    }
    tzset();
  }
  const char* name_;
  std::optional<std::string> old_;
};

// The reference for UTC instants, independent of the code under test.
Time utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return timegm(&tm);
}

constexpr Time kNow = 1'790'000'000;  // 2026-09-21, an arbitrary "now"

void check_local(Time t, int y, int mo, int d, int h, int mi) {
  const LocalDateTime l = to_local(t);
  CHECK(l.year == y);
  CHECK(l.month == mo);
  CHECK(l.day == d);
  CHECK(l.hour == h);
  CHECK(l.minute == mi);
}

}  // namespace

TEST_CASE("time: 'now' is the caller's now (SPEC §1)") {
  CHECK(parse_time("now", kNow, "--start") == kNow);
  CHECK(parse_time("NOW", kNow, "--start") == kNow);
}

TEST_CASE("time: ISO 8601 without an offset is local time (SPEC §1)") {
  EnvGuard tz("TZ", "Europe/Moscow");
  const Time expected = utc(2026, 11, 24, 6, 0);
  CHECK(parse_time("2026-11-24T09:00", kNow, "--start") == expected);
  CHECK(parse_time("2026-11-24 09:00", kNow, "--start") == expected);
  CHECK(parse_time("2026-11-24t09:00", kNow, "--start") == expected);
  CHECK(parse_time("2026-11-24T09:00:00", kNow, "--start") == expected);
  CHECK(parse_time("2026-11-24T09:00:42", kNow, "--start") == expected + 42);
  CHECK(parse_time("2026-11-24T09:00:42.999", kNow, "--start") == expected + 42);
}

TEST_CASE("time: a date alone is local midnight (SPEC §1)") {
  EnvGuard tz("TZ", "Europe/Moscow");
  CHECK(parse_time("2026-11-24", kNow, "--since") == utc(2026, 11, 23, 21, 0));
  EnvGuard ny("TZ", "America/New_York");
  CHECK(parse_time("2026-11-24", kNow, "--since") == utc(2026, 11, 24, 5, 0));
}

TEST_CASE("time: explicit offsets Z +03:00 +0300 +03 and -05:00 are honoured whatever TZ is") {
  EnvGuard tz("TZ", "America/New_York");
  const Time t = utc(2026, 11, 24, 6, 0);
  CHECK(parse_time("2026-11-24T06:00Z", kNow, "--start") == t);
  CHECK(parse_time("2026-11-24T06:00:00z", kNow, "--start") == t);
  CHECK(parse_time("2026-11-24T09:00+03:00", kNow, "--start") == t);
  CHECK(parse_time("2026-11-24T09:00+0300", kNow, "--start") == t);
  CHECK(parse_time("2026-11-24T09:00+03", kNow, "--start") == t);
  CHECK(parse_time("2026-11-24T01:00-05:00", kNow, "--start") == t);
  CHECK(parse_time("2026-11-24T01:00-05", kNow, "--start") == t);
  CHECK(parse_time("2026-11-24T11:30+05:30", kNow, "--start") == t);
  CHECK(parse_time("2026-11-24 09:00:00+03:00", kNow, "--start") == t);
}

TEST_CASE("time: 29 February exists only in leap years (SPEC §1)") {
  EnvGuard tz("TZ", "UTC");
  CHECK(parse_time("2028-02-29T09:00", kNow, "--start") == utc(2028, 2, 29, 9, 0));
  CHECK(parse_time("2000-02-29", kNow, "--start") == utc(2000, 2, 29));
  CHECK_THROWS_AS(parse_time("2026-02-29", kNow, "--start"), Error);
  CHECK_THROWS_AS(parse_time("2100-02-29", kNow, "--start"), Error);
}

TEST_CASE("time: out-of-range fields and malformed text are bad data naming the field (SPEC §6)") {
  const char* bad[] = {
      "",                        // empty
      "x",                       // not a time
      "tomorrow",                // not supported
      "2026-13-01",              // month 13
      "2026-00-10",              // month 0
      "2026-02-30",              // no 30 February
      "2026-04-31",              // April has 30 days
      "2026-11-00",              // day 0
      "2026-11-24T24:00",        // hour 24
      "2026-11-24T09:60",        // minute 60
      "2026-11-24T09:00:60",     // second 60
      "2026-11-24T09:00 junk",   // trailing junk
      "2026-11-24T09:00+",       // dangling sign
      "2026-11-24T09:00+3",      // one-digit offset
      "2026-11-24T09:00+24:00",  // offset hour out of range
      "2026-11-24T09:00+03:60",  // offset minute out of range
      "2026-11-24T09:00Z+03",    // two offsets
      "2026-11-24Z",             // offset without a time
      "2026-11-24T",             // separator without a time
      "2026-11-24T9:00",         // one-digit hour
      "2026-1-24",               // one-digit month
      "26-11-24",                // two-digit year
      " 2026-11-24",             // leading space
      "2026-11-24 ",             // trailing space
      "2026-11-24T09:00:00.",    // empty fraction
      "2026/11/24",              // wrong separator
      "nowish",                  // trailing junk after now
  };
  for (const char* text : bad) {
    CAPTURE(std::string(text));
    try {
      parse_time(text, kNow, "--start");
      FAIL("accepted: " << text);
    } catch (const Error& e) {
      CHECK(e.code() == Errc::data);
      CHECK(std::string(e.what()) == "--start: invalid time '" + std::string(text) + "'");
      CHECK_FALSE(e.hint().empty());
    }
  }
}

TEST_CASE("time: the error hint says what was expected or what is out of range") {
  try {
    parse_time("x", kNow, "--start");
    FAIL("accepted x");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) == "--start: invalid time 'x'");
    CHECK(e.hint() ==
          "expected ISO 8601 like 2026-11-24T09:00, 24.11.2026 09:00, a time alone like 9:00, or now");
  }
  try {
    parse_time("2026-02-30", kNow, "--end");
    FAIL("accepted 30 February");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) == "--end: invalid time '2026-02-30'");
    CHECK(e.hint() == "2026-02 has 28 days");
  }
}

TEST_CASE("time: control characters in a bad input do not break the one-line error (SPEC §2)") {
  try {
    parse_time("2026\n-11", kNow, "--start");
    FAIL("accepted a newline");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find('\n') == std::string::npos);
  }
}

TEST_CASE("time: --json times carry the local UTC offset (SPEC §1)") {
  const Time t = utc(2026, 11, 24, 6, 0);
  {
    EnvGuard tz("TZ", "Europe/Moscow");
    CHECK(format_iso(t) == "2026-11-24T09:00:00+03:00");
    CHECK(format_local(t) == "2026-11-24 09:00");
  }
  {
    EnvGuard tz("TZ", "America/New_York");
    CHECK(format_iso(t) == "2026-11-24T01:00:00-05:00");
    CHECK(format_iso(utc(2026, 7, 1, 12, 0, 7)) == "2026-07-01T08:00:07-04:00");
    CHECK(format_local(t) == "2026-11-24 01:00");
  }
  {
    EnvGuard tz("TZ", "Asia/Kolkata");
    CHECK(format_iso(t) == "2026-11-24T11:30:00+05:30");
  }
  {
    EnvGuard tz("TZ", "UTC");
    CHECK(format_iso(t) == "2026-11-24T06:00:00+00:00");
  }
}

TEST_CASE("time: format_iso output parses back to the same instant in every zone") {
  for (const char* zone : {"Europe/Moscow", "America/New_York", "Asia/Kolkata", "UTC"}) {
    EnvGuard tz("TZ", zone);
    for (Time t = utc(2010, 1, 1); t < utc(2012, 1, 1); t += 7 * 3600 + 13) {
      CAPTURE(zone);
      CAPTURE(t);
      REQUIRE(parse_time(format_iso(t), kNow, "t") == t);
    }
  }
}

TEST_CASE("time: Moscow's historic offsets are used for historic dates") {
  EnvGuard tz("TZ", "Europe/Moscow");
  CHECK(format_iso(utc(2010, 1, 15, 12)) == "2010-01-15T15:00:00+03:00");  // MSK winter
  CHECK(format_iso(utc(2010, 7, 15, 12)) == "2010-07-15T16:00:00+04:00");  // MSD summer
  CHECK(format_iso(utc(2012, 1, 15, 12)) == "2012-01-15T16:00:00+04:00");  // 2011-2014: +4 all year
  CHECK(format_iso(utc(2015, 1, 15, 12)) == "2015-01-15T15:00:00+03:00");  // since 2014-10-26
}

TEST_CASE("time: a local time in a spring-forward gap moves forward by the gap (SPEC §3)") {
  SUBCASE("New York 2026-03-08 02:00 EST -> 03:00 EDT") {
    EnvGuard tz("TZ", "America/New_York");
    const Time t = from_local({2026, 3, 8, 2, 30, 0});
    CHECK(t == utc(2026, 3, 8, 7, 30));
    check_local(t, 2026, 3, 8, 3, 30);
    CHECK(from_local({2026, 3, 8, 2, 0, 0}) == utc(2026, 3, 8, 7, 0));  // 03:00 EDT
    CHECK(from_local({2026, 3, 8, 3, 0, 0}) == utc(2026, 3, 8, 7, 0));
    CHECK(from_local({2026, 3, 8, 1, 59, 59}) == utc(2026, 3, 8, 6, 59, 59));
    CHECK(parse_time("2026-03-08T02:30", kNow, "--start") == t);
  }
  SUBCASE("Moscow 2010-03-28 02:00 MSK -> 03:00 MSD") {
    EnvGuard tz("TZ", "Europe/Moscow");
    const Time t = from_local({2010, 3, 28, 2, 30, 0});
    CHECK(t == utc(2010, 3, 27, 23, 30));
    check_local(t, 2010, 3, 28, 3, 30);
    CHECK(parse_time("2010-03-28 02:30", kNow, "--start") == t);
  }
  SUBCASE("Moscow 2011-03-27: the last change to permanent +04") {
    EnvGuard tz("TZ", "Europe/Moscow");
    check_local(from_local({2011, 3, 27, 2, 15, 0}), 2011, 3, 27, 3, 15);
  }
}

TEST_CASE("time: a local time that occurs twice picks the earlier instant (SPEC §3)") {
  SUBCASE("New York 2026-11-01 02:00 EDT -> 01:00 EST") {
    EnvGuard tz("TZ", "America/New_York");
    const Time t = from_local({2026, 11, 1, 1, 30, 0});
    CHECK(t == utc(2026, 11, 1, 5, 30));  // 01:30 EDT, not 01:30 EST (06:30Z)
    CHECK(format_iso(t) == "2026-11-01T01:30:00-04:00");
    CHECK(parse_time("2026-11-01T01:30", kNow, "--start") == t);
    CHECK(parse_time("2026-11-01T01:30-05:00", kNow, "--start") == t + 3600);
  }
  SUBCASE("Moscow 2010-10-31 03:00 MSD -> 02:00 MSK") {
    EnvGuard tz("TZ", "Europe/Moscow");
    const Time t = from_local({2010, 10, 31, 2, 30, 0});
    CHECK(t == utc(2010, 10, 30, 22, 30));  // 02:30 MSD (+04)
    CHECK(format_iso(t) == "2010-10-31T02:30:00+04:00");
  }
  SUBCASE("Moscow 2014-10-26 02:00 +04 -> 01:00 +03") {
    EnvGuard tz("TZ", "Europe/Moscow");
    CHECK(format_iso(from_local({2014, 10, 26, 1, 30, 0})) == "2014-10-26T01:30:00+04:00");
  }
}

TEST_CASE("time: from_local inverts to_local except for the later half of an overlap") {
  for (const char* zone : {"America/New_York", "Europe/Moscow"}) {
    EnvGuard tz("TZ", zone);
    for (Time t = utc(2010, 1, 1); t < utc(2011, 12, 31); t += 1800 + 7) {
      CAPTURE(zone);
      CAPTURE(t);
      const LocalDateTime l = to_local(t);
      const Time back = from_local(l);
      if (back != t) {
        // Only the second occurrence of a repeated wall time maps to its first occurrence.
        REQUIRE(back == t - 3600);
        REQUIRE(format_local(back) == format_local(t));
      }
    }
  }
}

TEST_CASE("time: from_local normalises a month and day overflow") {
  EnvGuard tz("TZ", "UTC");
  CHECK(from_local({2026, 13, 1, 0, 0, 0}) == utc(2027, 1, 1));
  CHECK(from_local({2026, 1, 32, 0, 0, 0}) == utc(2026, 2, 1));
  CHECK(from_local({2026, 0, 1, 0, 0, 0}) == utc(2025, 12, 1));
}

TEST_CASE("time: MAILER_NOW replaces the clock and is local without an offset (SPEC §1)") {
  EnvGuard tz("TZ", "Europe/Moscow");
  {
    EnvGuard now("MAILER_NOW", "2026-11-24T09:00");
    CHECK(mailer::current_time() == utc(2026, 11, 24, 6, 0));
  }
  {
    EnvGuard now("MAILER_NOW", "2026-11-24T09:00Z");
    CHECK(mailer::current_time() == utc(2026, 11, 24, 9, 0));
  }
  {
    EnvGuard now("MAILER_NOW", "garbage");
    try {
      mailer::current_time();
      FAIL("accepted garbage");
    } catch (const Error& e) {
      CHECK(e.code() == Errc::data);
      CHECK(std::string(e.what()) == "MAILER_NOW: invalid time 'garbage'");
    }
  }
  {
    EnvGuard now("MAILER_NOW", nullptr);
    const Time clock = static_cast<Time>(std::time(nullptr));
    const Time t = mailer::current_time();
    CHECK(t >= clock);
    CHECK(t <= clock + 5);
  }
}
