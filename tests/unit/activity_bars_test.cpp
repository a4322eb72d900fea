// cli/activity_bars: `report --mailing ID` on a terminal (issue 10 point 4) — bars to the
// eighth of a column, never wider than the terminal, colour only when asked.
#include "cli/activity_bars.hpp"

#include <doctest/doctest.h>

#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "cli/text_width.hpp"
#include "mailer/base/time.hpp"
#include "test_support.hpp"

using mailer::ActivityBucket;
using mailer::display_width;
using mailer::cli::BarStyle;
using mailer::cli::draw_activity_bars;

namespace {

mailer::Time local(int d, int h = 0) { return mailer::from_local({2026, 12, d, h, 0, 0}); }

ActivityBucket bucket(mailer::Time start, std::int64_t sent, std::int64_t opens) {
  ActivityBucket b;
  b.start = start;
  b.sent = sent;
  b.opens = opens;
  return b;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string repeat(const char* s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

std::string strip_ansi(const std::string& s) {
  return std::regex_replace(s, std::regex("\x1b\\[[0-9;]*m"), "");
}

}  // namespace

TEST_CASE("activity bars: no bucket is one line saying there is no activity yet") {
  const std::string out = draw_activity_bars({}, BarStyle{});
  CHECK(out == "No activity yet: nothing has been sent.\n");
}

TEST_CASE("activity bars: bars are scaled to the largest figure, to the eighth of a column") {
  mailer::test::TzGuard tz("Europe/Moscow");
  // 46 columns: "02.12" + 2 + bar + 1 + "64" + 2 + bar + 1 + "3" leaves 16 columns a bar, so
  // the largest figure, 64, fills 16 cells and each unit is two eighths of a cell.
  const std::vector<ActivityBucket> days{bucket(local(2), 64, 3), bucket(local(3), 5, 1),
                                         bucket(local(4), 0, 0)};
  const auto lines = lines_of(draw_activity_bars(days, BarStyle{46, false, false}));
  REQUIRE(lines.size() == 4);
  CHECK(lines[0] == "day    sent                 opens");
  CHECK(lines[1] == "02.12  " + repeat("█", 16) + " 64  ▊" + std::string(15, ' ') + " 3");
  CHECK(lines[2] == "03.12  █▎" + std::string(14, ' ') + "  5  ▎" + std::string(15, ' ') + " 1");
  CHECK(lines[3] == "04.12  " + std::string(16, ' ') + "  0  " + std::string(16, ' ') + " 0");
  for (const auto& line : lines) CHECK(display_width(line) <= 46);
  CHECK(display_width(lines[1]) == 46);
}

TEST_CASE("activity bars: every eighth has its block, and a tiny figure keeps one eighth") {
  mailer::test::TzGuard tz("Europe/Moscow");
  const char* eighths[] = {"▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"};
  for (int k = 1; k <= 8; ++k) {
    CAPTURE(k);
    // 22 columns leave bars of 4 cells, 32 eighths: 32 sent fill it and k opens take k eighths.
    const auto lines = lines_of(draw_activity_bars({bucket(local(2), 32, k)}, BarStyle{22, false, false}));
    REQUIRE(lines.size() == 2);
    CHECK(lines[1] == "02.12  " + repeat("█", 4) + " 32  " + eighths[k - 1] + std::string(3, ' ') + " " +
                          std::to_string(k));
  }
  const auto lines = lines_of(draw_activity_bars({bucket(local(2), 100000, 1)}, BarStyle{40, false, false}));
  CHECK(lines[1].find("▏") != std::string::npos);
}

TEST_CASE("activity bars: hourly buckets are labelled with the local day and hour") {
  mailer::test::TzGuard tz("Europe/Moscow");
  const auto lines = lines_of(draw_activity_bars({bucket(local(2, 14), 3, 1), bucket(local(2, 15), 2, 0)},
                                                 BarStyle{60, false, true}));
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].rfind("hour         sent", 0) == 0);
  CHECK(lines[1].rfind("02.12 14:00  ", 0) == 0);
  CHECK(lines[2].rfind("02.12 15:00  ", 0) == 0);
}

TEST_CASE("activity bars: no line is wider than the terminal, however narrow") {
  mailer::test::TzGuard tz("Europe/Moscow");
  const std::vector<ActivityBucket> days{bucket(local(2), 123456789, 98765), bucket(local(3), 7, 4000000)};
  for (std::size_t width = 0; width <= 140; ++width) {
    for (bool colour : {false, true}) {
      for (bool hourly : {false, true}) {
        CAPTURE(width);
        const std::string out = draw_activity_bars(days, BarStyle{width, colour, hourly});
        const auto lines = lines_of(out);
        CHECK(lines.size() == 3);
        for (const auto& line : lines) CHECK(display_width(strip_ansi(line)) <= width);
      }
    }
  }
  // Too narrow for bars: the figures alone, under their names.
  const auto lines = lines_of(draw_activity_bars(days, BarStyle{30, false, false}));
  CHECK(lines[0] == "day         sent    opens");
  CHECK(lines[1] == "02.12  123456789    98765");
  CHECK(lines[2] == "03.12          7  4000000");
  CHECK(draw_activity_bars({}, BarStyle{11, false, false}) == "No activity\n");
}

TEST_CASE("activity bars: colour only when the style asks for it") {
  mailer::test::TzGuard tz("Europe/Moscow");
  const std::vector<ActivityBucket> days{bucket(local(2), 10, 5), bucket(local(3), 0, 0)};
  const std::string plain = draw_activity_bars(days, BarStyle{60, false, false});
  CHECK(plain.find('\x1b') == std::string::npos);
  const std::string coloured = draw_activity_bars(days, BarStyle{60, true, false});
  CHECK(coloured.find("\x1b[32m█") != std::string::npos);  // sent: green
  CHECK(coloured.find("\x1b[36m█") != std::string::npos);  // opens: cyan
  CHECK(coloured.find("\x1b[0m") != std::string::npos);
  // The same picture once the colour is taken away; an empty bar has no escape at all.
  CHECK(strip_ansi(coloured) == plain);
  CHECK(lines_of(coloured)[2].find('\x1b') == std::string::npos);
}
