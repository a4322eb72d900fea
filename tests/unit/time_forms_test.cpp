// The time forms beyond ISO 8601 that Russian users type (issue 7 item 10): 07.12.2026 09:00,
// a time alone 9:00, and the date-alone flag the CLI turns into a note (SPEC §1).
#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>
#include <string>

#include "mailer/base/error.hpp"
#include "mailer/base/time.hpp"
#include "test_support.hpp"

using mailer::Errc;
using mailer::Error;
using mailer::parse_time;
using mailer::parse_time_input;
using mailer::Time;

namespace {

// Moscow for the duration of a test (no DST since 2014: UTC+3 all year).
struct Moscow : mailer::test::TzGuard {
  Moscow() : TzGuard("Europe/Moscow") {}
};

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

// 2026-09-21 14:30 in Moscow.
const Time kNow = utc(2026, 9, 21, 11, 30);

}  // namespace

TEST_CASE("time: the Russian order DD.MM.YYYY HH:MM is local time like ISO 8601 (SPEC §1)") {
  Moscow tz;
  const Time expected = utc(2026, 12, 7, 6, 0);
  CHECK(parse_time("07.12.2026 09:00", kNow, "--start") == parse_time("2026-12-07T09:00", kNow, "--start"));
  CHECK(parse_time("07.12.2026 09:00", kNow, "--start") == expected);
  CHECK(parse_time("7.12.2026 9:00", kNow, "--start") == expected);
  CHECK(parse_time("07.12.2026  09:00", kNow, "--start") == expected);
  CHECK(parse_time("07.12.2026 09:00:30", kNow, "--start") == expected + 30);
  CHECK(parse_time("07.12.2026 09:00+05:00", kNow, "--start") == utc(2026, 12, 7, 4, 0));
  CHECK(parse_time("29.02.2028 23:59", kNow, "--start") == utc(2028, 2, 29, 20, 59));
}

TEST_CASE("time: a date alone in either order is local midnight and says it was a date alone") {
  Moscow tz;
  for (const char* text : {"07.12.2026", "7.12.2026", "2026-12-07"}) {
    CAPTURE(std::string(text));
    const auto t = parse_time_input(text, kNow, "--start");
    CHECK(t.at == utc(2026, 12, 6, 21, 0));
    CHECK(t.date_only);
  }
  for (const char* text : {"07.12.2026 00:00", "2026-12-07T00:00", "2026-12-07 00:00", "0:00", "now"}) {
    CAPTURE(std::string(text));
    CHECK_FALSE(parse_time_input(text, kNow, "--start").date_only);
  }
}

TEST_CASE("time: a time alone is that time today by the local calendar, even when already past") {
  Moscow tz;
  CHECK(parse_time("9:00", kNow, "--start") == utc(2026, 9, 21, 6, 0));
  CHECK(parse_time("09:00", kNow, "--start") == utc(2026, 9, 21, 6, 0));
  CHECK(parse_time("23:59:59", kNow, "--start") == utc(2026, 9, 21, 20, 59, 59));
  CHECK(parse_time("0:00", kNow, "--start") == utc(2026, 9, 20, 21, 0));
  // 01:30 in Moscow is still the 21st there, though it is the 20th in UTC.
  const Time late_evening_utc = utc(2026, 9, 20, 22, 30);
  CHECK(parse_time("9:00", late_evening_utc, "--start") == utc(2026, 9, 21, 6, 0));
  CHECK(parse_time("09:00Z", kNow, "--start") == utc(2026, 9, 21, 9, 0));
}

TEST_CASE("time: malformed Russian-order dates and lone times are bad data naming the field") {
  Moscow tz;
  const char* bad[] = {
      "07.12.26",          // two-digit year
      "07.12.026",         // three-digit year
      "007.12.2026",       // three-digit day
      "07.12",             // no year
      "07.12.2026 ",       // trailing space
      "07.12.2026T09:00",  // ISO separator in the Russian order
      "07.12.2026 09",     // no minutes
      "07.12.2026 9:0",    // one-digit minutes
      "32.12.2026",        // day 32
      "29.02.2026",        // no 29 February in 2026
      "07.13.2026",        // month 13
      "00.12.2026",        // day 0
      "24:00",             // hour 24
      "9:60",              // minute 60
      "9",                 // an hour alone
      "9:00 junk",         // trailing junk
      "123:00",            // three-digit hour
      "07/12/2026",        // slashes
      "07-12-2026",        // dashes in the Russian order
      ".12.2026",          // no day
  };
  for (const char* text : bad) {
    CAPTURE(std::string(text));
    try {
      parse_time(text, kNow, "--since");
      FAIL("accepted: " << text);
    } catch (const Error& e) {
      CHECK(e.code() == Errc::data);
      CHECK(std::string(e.what()) == "--since: invalid time '" + std::string(text) + "'");
      CHECK_FALSE(e.hint().empty());
    }
  }
}

TEST_CASE("time: the hint names the accepted forms, and a short year what is missing") {
  try {
    parse_time("07.12.26", kNow, "--start");
    FAIL("accepted a two-digit year");
  } catch (const Error& e) {
    CHECK(e.hint() == "the year needs four digits, as in 24.11.2026");
  }
  try {
    parse_time("x", kNow, "--start");
    FAIL("accepted x");
  } catch (const Error& e) {
    const std::string hint = e.hint();
    CHECK(hint.find("2026-11-24T09:00") != std::string::npos);
    CHECK(hint.find("24.11.2026 09:00") != std::string::npos);
    CHECK(hint.find("9:00") != std::string::npos);
    CHECK(hint.find("now") != std::string::npos);
  }
  try {
    parse_time("30.02.2028", kNow, "--start");
    FAIL("accepted 30 February");
  } catch (const Error& e) {
    CHECK(e.hint() == "2028-02 has 29 days");
  }
}
