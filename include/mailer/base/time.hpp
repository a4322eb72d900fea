#pragma once
// Time values: seconds since the Unix epoch, UTC. Input and output use the local zone (TZ).
#include <cstdint>
#include <string>
#include <string_view>

namespace mailer {

using Time = std::int64_t;  // seconds since 1970-01-01T00:00:00Z

// What a time argument said: the instant, and whether it was a date alone (which means
// local midnight: the CLI tells the user so).
struct ParsedTime {
  Time at = 0;
  bool date_only = false;
};

// Parses a time argument (SPEC §1):
//   `now` (any case);
//   ISO 8601 "2026-11-24T09:00", "2026-11-24 09:00", optional ":SS", optional offset
//     "Z", "+03:00", "+0300", "-05"; a date alone "2026-11-24" means local midnight;
//   the Russian order "24.11.2026 09:00" (day and month of one or two digits, a four-digit
//     year, an optional H:MM[:SS] and offset); "24.11.2026" alone means local midnight;
//   a time alone "9:00", "09:00:30": that time today, by the local calendar at `now` (a time
//     already past today is not moved: the caller decides what a past time means).
// Without an offset the time is local (TZ); a local time that falls in a DST gap moves
// forward by the gap. Pure but for the zone: `now` is the caller's. Throws
// Error{Errc::data} naming `field` on anything else.
ParsedTime parse_time_input(std::string_view text, Time now, std::string_view field);

// parse_time_input(...).at.
Time parse_time(std::string_view text, Time now, std::string_view field);

// "2026-11-24 09:00" in the local zone, for tables.
std::string format_local(Time t);

// "2026-11-24T09:00:00+03:00" in the local zone with its UTC offset, for --json.
std::string format_iso(Time t);

// Local wall-clock fields <-> Time, with the DST rules above (gap: forward by the gap;
// overlap: the earlier instant).
struct LocalDateTime {
  int year, month, day, hour, minute, second;  // month 1..12, day 1..31
};
LocalDateTime to_local(Time t);
Time from_local(const LocalDateTime& local);

}  // namespace mailer
