// Time conversions through POSIX (tzset/localtime_r): libstdc++ 12 has no chrono zone database.
#include "mailer/base/time.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <utility>

#include "mailer/base/error.hpp"

namespace mailer {
namespace {

constexpr Time kDay = 86400;

// Floor division: calendar arithmetic must round toward the past for times before 1970.
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm); exact for any
// year, unlike timegm, whose tm_year is an int and whose behaviour on odd fields varies.
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = floor_div(y, 400);
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(std::int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Reads TZ again on every call: glibc's localtime_r caches the zone and would otherwise miss
// a changed TZ (tests switch zones; tzset is a cheap no-op when TZ is unchanged).
std::tm local_tm(Time t) {
  tzset();
  const auto tt = static_cast<std::time_t>(t);
  std::tm tm{};
  if (static_cast<Time>(tt) != t || localtime_r(&tt, &tm) == nullptr) {
    throw Error(Errc::data, "time out of range: " + std::to_string(t) + " s since 1970",
                "the date is too far from today for the system clock functions");
  }
  return tm;
}

Time utc_offset(Time t) { return local_tm(t).tm_gmtoff; }

// Wall-clock fields read as if they were UTC: the local time's "seconds since epoch".
Time wall_seconds(const LocalDateTime& l) {
  // Normalise the month so callers may do month arithmetic without handling the carry.
  const std::int64_t months = static_cast<std::int64_t>(l.year) * 12 + (l.month - 1);
  const std::int64_t y = floor_div(months, 12);
  const auto m = static_cast<unsigned>(months - y * 12 + 1);
  return (days_from_civil(y, m, 1) + (l.day - 1)) * kDay + Time{l.hour} * 3600 + Time{l.minute} * 60 +
         l.second;
}

// An error message quotes the user's text on one line, so control characters and very long
// inputs are neutralised.
std::string quote_input(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 64)) {
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  }
  if (text.size() > 64) out += "...";
  return out;
}

const char* const kExpected =
    "expected ISO 8601 like 2026-11-24T09:00, 24.11.2026 09:00, a time alone like 9:00, or now";

[[noreturn]] void fail(std::string_view field, std::string_view text, std::string hint = kExpected) {
  throw Error(Errc::data, std::string(field) + ": invalid time '" + quote_input(text) + "'", std::move(hint));
}

// A cursor over the input: each read consumes exactly what it matched.
class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}
  bool done() const { return pos_ == s_.size(); }
  bool eat(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  std::optional<char> peek() const { return pos_ < s_.size() ? std::optional<char>(s_[pos_]) : std::nullopt; }
  // Between `min` and `max` ASCII digits, as many as there are: ISO 8601 fields are
  // fixed-width (min == max), the Russian order allows 7.12.2026 and 9:00.
  std::optional<int> digits(int min, int max) {
    int v = 0;
    int n = 0;
    while (n < max && pos_ + n < s_.size() && s_[pos_ + n] >= '0' && s_[pos_ + n] <= '9') {
      v = v * 10 + (s_[pos_ + n] - '0');
      ++n;
    }
    if (n < min) return std::nullopt;
    pos_ += n;
    return v;
  }
  std::optional<int> digits(int width) { return digits(width, width); }
  bool any_digits() {
    const std::size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    return pos_ > start;
  }
  // The digits ahead and the character after them, without consuming: tells the forms apart.
  std::pair<std::size_t, std::optional<char>> lookahead() const {
    std::size_t n = 0;
    while (pos_ + n < s_.size() && s_[pos_ + n] >= '0' && s_[pos_ + n] <= '9') ++n;
    return {n, pos_ + n < s_.size() ? std::optional<char>(s_[pos_ + n]) : std::nullopt};
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

// What the text says, before range checks: a local wall-clock time and maybe an offset.
struct Fields {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  std::optional<Time> offset;
  bool date_only = false;
};

// HH:MM[:SS[.fraction]][Z|+HH[:MM]|-HH[MM]]; `hour_digits_min` is 1 outside ISO 8601.
void read_time_of_day(Reader& r, Fields& f, int hour_digits_min, std::string_view field,
                      std::string_view text) {
  const auto h = r.digits(hour_digits_min, 2);
  if (!h || !r.eat(':')) fail(field, text);
  const auto m = r.digits(2);
  if (!m) fail(field, text);
  f.hour = *h;
  f.minute = *m;
  if (r.eat(':')) {
    const auto s = r.digits(2);
    if (!s) fail(field, text);
    f.second = *s;
    // A fraction (from other tools' output) is accepted and dropped: times are whole seconds.
    if ((r.eat('.') || r.eat(',')) && !r.any_digits()) fail(field, text);
  }
  if (r.eat('Z') || r.eat('z')) {
    f.offset = 0;
  } else if (r.peek() == '+' || r.peek() == '-') {
    const int sign = r.eat('-') ? -1 : 1;
    r.eat('+');
    const auto oh = r.digits(2);
    if (!oh) fail(field, text);
    int om = 0;
    if (r.eat(':')) {
      const auto v = r.digits(2);
      if (!v) fail(field, text);
      om = *v;
    } else if (!r.done()) {
      const auto v = r.digits(2);
      if (!v) fail(field, text);
      om = *v;
    }
    if (*oh > 23 || om > 59) fail(field, text, "UTC offset out of range; " + std::string(kExpected));
    f.offset = sign * (*oh * 3600 + om * 60);
  }
  if (!r.done()) fail(field, text);
}

// ISO 8601: YYYY-MM-DD[(T| )HH:MM...].
void read_iso(Reader& r, Fields& f, std::string_view field, std::string_view text) {
  const auto year = r.digits(4);
  if (!year || !r.eat('-')) fail(field, text);
  const auto month = r.digits(2);
  if (!month || !r.eat('-')) fail(field, text);
  const auto day = r.digits(2);
  if (!day) fail(field, text);
  f.year = *year;
  f.month = *month;
  f.day = *day;
  f.date_only = r.done();
  if (f.date_only) return;
  if (!(r.eat('T') || r.eat('t') || r.eat(' '))) fail(field, text);
  read_time_of_day(r, f, 2, field, text);
}

// The Russian order: D[D].M[M].YYYY[ H[H]:MM...].
void read_dotted(Reader& r, Fields& f, std::string_view field, std::string_view text) {
  const auto day = r.digits(1, 2);
  if (!day || !r.eat('.')) fail(field, text);
  const auto month = r.digits(1, 2);
  if (!month || !r.eat('.')) fail(field, text);
  if (r.lookahead().first != 4) fail(field, text, "the year needs four digits, as in 24.11.2026");
  f.year = *r.digits(4);
  f.month = *month;
  f.day = *day;
  f.date_only = r.done();
  if (f.date_only) return;
  if (!r.eat(' ')) fail(field, text);
  while (r.eat(' ')) {
  }
  read_time_of_day(r, f, 1, field, text);
}

bool equals_ignore_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return (x | 0x20) == (y | 0x20); });
}

std::string two(int v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d", v);
  return buf;
}

}  // namespace

LocalDateTime to_local(Time t) {
  const std::tm tm = local_tm(t);
  return {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec};
}

Time from_local(const LocalDateTime& local) {
  const Time wall = wall_seconds(local);
  // The zone's offsets a day either side bracket any transition that could affect this wall
  // time (offsets stay within ±1 day), so each interpretation uses one of them.
  const Time before = utc_offset(wall - kDay);
  const Time after = utc_offset(wall + kDay);
  std::optional<Time> best;
  for (Time offset : {before, after, utc_offset(wall)}) {
    const Time candidate = wall - offset;
    if (utc_offset(candidate) == offset && (!best || candidate < *best)) best = candidate;
  }
  if (best) return *best;  // the earlier instant when the wall time occurs twice
  // A gap: reading the wall time with the offset from before the change lands exactly the
  // gap's length past it (02:30 in a one-hour spring-forward gap becomes 03:30).
  return wall - before;
}

ParsedTime parse_time_input(std::string_view text, Time now, std::string_view field) {
  if (equals_ignore_case(text, "now")) return {now, false};
  Reader r(text);
  Fields f;
  const auto [lead, after] = r.lookahead();
  if (lead == 4 && after == '-') {
    read_iso(r, f, field, text);
  } else if ((lead == 1 || lead == 2) && after == '.') {
    read_dotted(r, f, field, text);
  } else if ((lead == 1 || lead == 2) && after == ':') {
    // A time alone is today's, by the local calendar at the caller's now.
    const LocalDateTime today = to_local(now);
    f.year = today.year;
    f.month = today.month;
    f.day = today.day;
    read_time_of_day(r, f, 1, field, text);
  } else {
    fail(field, text);
  }
  if (f.month < 1 || f.month > 12) fail(field, text, "month must be 01..12");
  if (f.day < 1 || f.day > days_in_month(f.year, f.month)) {
    fail(field, text,
         std::to_string(f.year) + "-" + two(f.month) + " has " +
             std::to_string(days_in_month(f.year, f.month)) + " days");
  }
  if (f.hour > 23) fail(field, text, "hour must be 00..23");
  if (f.minute > 59) fail(field, text, "minute must be 00..59");
  if (f.second > 59) fail(field, text, "second must be 00..59");
  const LocalDateTime local{f.year, f.month, f.day, f.hour, f.minute, f.second};
  if (f.offset) return {wall_seconds(local) - *f.offset, f.date_only};
  return {from_local(local), f.date_only};
}

Time parse_time(std::string_view text, Time now, std::string_view field) {
  return parse_time_input(text, now, field).at;
}

std::string format_local(Time t) {
  const LocalDateTime l = to_local(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d", l.year, l.month, l.day, l.hour, l.minute);
  return buf;
}

std::string format_iso(Time t) {
  const std::tm tm = local_tm(t);
  const long offset = tm.tm_gmtoff;
  const long abs_minutes = (offset < 0 ? -offset : offset) / 60;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, offset < 0 ? '-' : '+',
                abs_minutes / 60, abs_minutes % 60);
  return buf;
}

}  // namespace mailer
