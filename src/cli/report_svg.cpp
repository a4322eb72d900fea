// The report's two charts as inline SVG (no script: the tooltips are SVG <title> elements).
#include "report_svg.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

#include <fmt/format.h>

#include "mailer/base/time.hpp"

namespace mailer::cli {
namespace {

// The drawing's own units; the SVG scales to the page's width.
constexpr double kWidth = 960;
constexpr double kHeight = 300;
constexpr double kLeft = 64;
constexpr double kRight = 16;
constexpr double kTop = 44;  // room for the legend
constexpr double kBottom = 56;
constexpr double kPlotWidth = kWidth - kLeft - kRight;
constexpr double kPlotHeight = kHeight - kTop - kBottom;
// Beyond this many days a gap-filled axis would make every bar a hairline: one slot a day
// that has a bucket instead.
constexpr std::int64_t kMaxFilledDays = 370;
constexpr std::size_t kMaxDayLabels = 12;
constexpr std::size_t kMaxMarkers = 62;
// A bar of a lone day stays a bar, not a wall.
constexpr double kMaxBar = 56;

// Okabe-Ito colours: told apart with every common colour vision deficiency.
struct Series {
  const char* name;
  const char* colour;
  std::int64_t ActivityBucket::*value;
};
constexpr std::array<Series, 4> kStatuses{{{"sent", "#009E73", &ActivityBucket::sent},
                                           {"deferred", "#E69F00", &ActivityBucket::deferred},
                                           {"bounced", "#D55E00", &ActivityBucket::bounced},
                                           {"failed", "#CC79A7", &ActivityBucket::failed}}};
constexpr Series kOpens{"opens", "#0072B2", &ActivityBucket::opens};
constexpr Series kClicks{"clicks", "#D55E00", &ActivityBucket::clicks};

// One column of a chart: a local calendar day and what happened on it.
struct Slot {
  std::string label;  // "02.12"
  std::string date;   // "02.12.2026", for the tooltip
  ActivityBucket total;
};

// Days since 1970-01-01 of a civil date, and back (H. Hinnant's algorithms).
std::int64_t days_from_civil(std::int64_t y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

LocalDateTime civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {static_cast<int>(yoe + era * 400 + (m <= 2)), m, d, 0, 0, 0};
}

std::int64_t local_day(Time t) {
  const LocalDateTime l = to_local(t);
  return days_from_civil(l.year, l.month, l.day);
}

Slot slot_of(std::int64_t day) {
  const LocalDateTime l = civil_from_days(day);
  return {
      fmt::format("{:02}.{:02}", l.day, l.month), fmt::format("{:02}.{:02}.{}", l.day, l.month, l.year), {}};
}

void add_to(ActivityBucket& total, const ActivityBucket& b) {
  total.sent += b.sent;
  total.bounced += b.bounced;
  total.deferred += b.deferred;
  total.failed += b.failed;
  total.opens += b.opens;
  total.clicks += b.clicks;
}

// The columns, oldest first: the buckets summed per local day, and the days between them that
// have no bucket as zeros, so that a quiet week shows as a gap.
std::vector<Slot> lay_out(const std::vector<ActivityBucket>& buckets) {
  std::vector<std::pair<std::int64_t, const ActivityBucket*>> days;
  for (const auto& b : buckets) days.emplace_back(local_day(b.start), &b);
  std::stable_sort(days.begin(), days.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Slot> slots;
  if (days.empty()) return slots;
  const bool fill = days.back().first - days.front().first < kMaxFilledDays;
  std::int64_t last = 0;
  for (const auto& [day, bucket] : days) {
    if (slots.empty() || day != last) {
      for (std::int64_t gap = last + 1; fill && !slots.empty() && gap < day; ++gap) {
        slots.push_back(slot_of(gap));
      }
      slots.push_back(slot_of(day));
      last = day;
    }
    add_to(slots.back().total, *bucket);
  }
  return slots;
}

// A coordinate with one decimal; never NaN, inf or "-0.0" in the markup.
std::string n(double v) {
  if (!std::isfinite(v) || v == 0) v = 0;
  return fmt::format("{:.1f}", v);
}

// The axis' top and step: steps of 1, 2, 5, 10, 20, 50... so that about four lines cover max.
std::pair<std::int64_t, std::int64_t> axis(std::int64_t max) {
  std::int64_t step = 1;
  for (int k = 0; step * 4 < max; ++k) step = k % 3 == 1 ? step * 5 / 2 : step * 2;
  const std::int64_t top = std::max<std::int64_t>(1, (max + step - 1) / step) * step;
  return {top, step};
}

double y_of(std::int64_t value, std::int64_t top) {
  return kTop + kPlotHeight * (1.0 - static_cast<double>(value) / static_cast<double>(top));
}

double slot_width(const std::vector<Slot>& slots) { return kPlotWidth / static_cast<double>(slots.size()); }

double centre_of(std::size_t i, double slot) { return kLeft + slot * (static_cast<double>(i) + 0.5); }

std::string open_svg(const char* id, const std::string& title) {
  return fmt::format(
      "<svg class=\"chart\" viewBox=\"0 0 {} {}\" role=\"img\" aria-labelledby=\"{}-title\" "
      "xmlns=\"http://www.w3.org/2000/svg\">\n<title id=\"{}-title\">{}</title>\n",
      kWidth, kHeight, id, id, title);
}

std::string legend(const std::vector<const Series*>& series, bool lines) {
  std::string out = "<g class=\"legend\">";
  double x = kLeft;
  for (const Series* s : series) {
    if (lines) {
      out += fmt::format("<line x1=\"{}\" y1=\"16\" x2=\"{}\" y2=\"16\" stroke=\"{}\" stroke-width=\"3\"{}/>",
                         n(x), n(x + 22), s->colour, s == &kClicks ? " stroke-dasharray=\"6 3\"" : "");
      x += 28;
    } else {
      out += fmt::format("<rect x=\"{}\" y=\"10\" width=\"12\" height=\"12\" fill=\"{}\"/>", n(x), s->colour);
      x += 18;
    }
    out += fmt::format("<text x=\"{}\" y=\"21\">{}</text>", n(x), s->name);
    x += 92;
  }
  return out + "</g>\n";
}

// Grid lines with the counts, the day labels (at most kMaxDayLabels) and the axis titles.
std::string axes(const std::vector<Slot>& slots, std::int64_t top, std::int64_t step, const char* y_title) {
  std::string out = "<g class=\"axes\">";
  for (std::int64_t v = 0; v <= top; v += step) {
    const std::string y = n(y_of(v, top));
    out += fmt::format("<line class=\"grid\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>", n(kLeft), y,
                       n(kWidth - kRight), y);
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" dy=\"4\">{}</text>", n(kLeft - 8), y, v);
  }
  const double slot = slot_width(slots);
  const std::size_t every = (slots.size() + kMaxDayLabels - 1) / kMaxDayLabels;
  for (std::size_t i = 0; i < slots.size(); i += every) {
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>", n(centre_of(i, slot)),
                       n(kTop + kPlotHeight + 20), slots[i].label);
  }
  out += fmt::format("<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>", n(kLeft),
                     n(kTop + kPlotHeight), n(kWidth - kRight), n(kTop + kPlotHeight));
  out += fmt::format("<text class=\"title\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">day (local time)</text>",
                     n(kLeft + kPlotWidth / 2), n(kHeight - 10));
  out += fmt::format(
      "<text class=\"title\" transform=\"translate(16 {}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
      n(kTop + kPlotHeight / 2), y_title);
  return out + "</g>\n";
}

std::int64_t max_of(const std::vector<Slot>& slots, auto value) {
  std::int64_t max = 0;
  for (const auto& s : slots) max = std::max(max, value(s.total));
  return max;
}

}  // namespace

std::string svg_deliveries_chart(const std::vector<ActivityBucket>& days) {
  const std::vector<Slot> slots = lay_out(days);
  const auto stacked = [](const ActivityBucket& b) {
    std::int64_t sum = 0;
    for (const auto& s : kStatuses) sum += std::max<std::int64_t>(0, b.*s.value);
    return sum;
  };
  const std::int64_t max = max_of(slots, stacked);
  if (max <= 0) return "";
  const auto [top, step] = axis(max);
  std::string out = open_svg("deliveries", "Recipients per day by final status");
  out += legend({&kStatuses[0], &kStatuses[1], &kStatuses[2], &kStatuses[3]}, false);
  out += axes(slots, top, step, "recipients");
  const double slot = slot_width(slots);
  const double bar = std::clamp(slot * 0.7, 0.5, kMaxBar);
  for (std::size_t i = 0; i < slots.size(); ++i) {
    const ActivityBucket& b = slots[i].total;
    if (stacked(b) == 0) continue;
    out += fmt::format("<g><title>{}: {} sent, {} deferred, {} bounced, {} failed</title>", slots[i].date,
                       b.sent, b.deferred, b.bounced, b.failed);
    std::int64_t below = 0;
    for (const auto& s : kStatuses) {
      const std::int64_t v = std::max<std::int64_t>(0, b.*s.value);
      if (v == 0) continue;
      const double y = y_of(below + v, top);
      out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>",
                         n(centre_of(i, slot) - bar / 2), n(y), n(bar), n(y_of(below, top) - y), s.colour);
      below += v;
    }
    out += "</g>\n";
  }
  return out + "</svg>\n";
}

std::string svg_engagement_chart(const std::vector<ActivityBucket>& days) {
  const std::vector<Slot> slots = lay_out(days);
  const std::int64_t max = max_of(slots, [](const ActivityBucket& b) { return std::max(b.opens, b.clicks); });
  if (max <= 0) return "";
  const auto [top, step] = axis(max);
  std::string out = open_svg("engagement", "Opens and clicks per day");
  out += legend({&kOpens, &kClicks}, true);
  out += axes(slots, top, step, "opens, clicks");
  const double slot = slot_width(slots);
  const bool markers = slots.size() <= kMaxMarkers;
  for (const Series* s : {&kOpens, &kClicks}) {
    std::string points;
    std::string marks;
    for (std::size_t i = 0; i < slots.size(); ++i) {
      const std::string x = n(centre_of(i, slot));
      const double y = y_of(std::max<std::int64_t>(0, slots[i].total.*s->value), top);
      if (!points.empty()) points += ' ';
      points += x + "," + n(y);
      if (!markers) continue;
      if (s == &kOpens) {
        marks += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"4\"/>", x, n(y));
      } else {
        marks += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"8\" height=\"8\"/>", n(centre_of(i, slot) - 4),
                             n(y - 4));
      }
    }
    out += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2.5\"{} points=\"{}\"/>\n",
                       s->colour, s == &kClicks ? " stroke-dasharray=\"6 3\"" : "", points);
    if (!marks.empty()) out += fmt::format("<g fill=\"{}\">{}</g>\n", s->colour, marks);
  }
  // A hover target per day for its figures.
  for (std::size_t i = 0; i < slots.size(); ++i) {
    out += fmt::format(
        "<rect class=\"hover\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"><title>{}: {} opens, {} "
        "clicks</title></rect>\n",
        n(kLeft + slot * static_cast<double>(i)), n(kTop), n(slot), n(kPlotHeight), slots[i].date,
        slots[i].total.opens, slots[i].total.clicks);
  }
  return out + "</svg>\n";
}

}  // namespace mailer::cli
