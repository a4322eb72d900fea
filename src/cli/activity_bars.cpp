// The terminal's picture of a mailing: sent and opens per day or hour, as Unicode block bars.
#include "activity_bars.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "mailer/base/time.hpp"
#include "mailer/base/utf8.hpp"
#include "text_width.hpp"

namespace mailer::cli {
namespace {

// A bar's last cell: the eighths U+258F..U+2589 after the full blocks U+2588.
constexpr const char* kEighths[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
constexpr const char* kFull = "█";
constexpr const char* kSentColour = "\x1b[32m";
constexpr const char* kOpensColour = "\x1b[36m";
constexpr const char* kReset = "\x1b[0m";
// Narrower bars tell nothing: the lines keep the figures alone.
constexpr std::size_t kMinBar = 4;
constexpr std::string_view kGap = "  ";

std::string label_of(Time t, bool hourly) {
  const LocalDateTime l = to_local(t);
  return hourly ? fmt::format("{:02}.{:02} {:02}:00", l.day, l.month, l.hour)
                : fmt::format("{:02}.{:02}", l.day, l.month);
}

std::string pad_right(std::string text, std::size_t width) {
  const std::size_t w = display_width(text);
  if (w < width) text.append(width - w, ' ');
  return text;
}

std::string pad_left(const std::string& text, std::size_t width) {
  const std::size_t w = display_width(text);
  return w < width ? std::string(width - w, ' ') + text : text;
}

// `value` of `max` drawn in `width` columns to the nearest eighth of a column, padded with
// spaces to `width`; a value above zero keeps at least an eighth, so it never looks like none.
std::string bar(std::int64_t value, std::int64_t max, std::size_t width, const char* colour) {
  std::int64_t eighths = 0;
  if (value > 0 && max > 0) {
    const long double exact = static_cast<long double>(value) * static_cast<long double>(width) * 8.0L /
                              static_cast<long double>(max);
    eighths = std::max<std::int64_t>(1, std::llround(exact));
  }
  std::string glyphs;
  for (std::int64_t i = 0; i < eighths / 8; ++i) glyphs += kFull;
  glyphs += kEighths[eighths % 8];
  const std::size_t cells = static_cast<std::size_t>(eighths / 8 + (eighths % 8 != 0));
  std::string out;
  if (colour && !glyphs.empty()) {
    out = colour;
    out += glyphs;
    out += kReset;
  } else {
    out = std::move(glyphs);
  }
  out.append(width - cells, ' ');
  return out;
}

// A line cut to `width` columns (it holds no escape sequence: only bar-less lines are cut).
std::string cut(const std::string& line, std::size_t width) {
  std::string out;
  std::size_t used = 0;
  for (std::size_t i = 0; i < line.size();) {
    const std::size_t start = i;
    const char32_t cp = utf8::decode(line, i);
    const std::size_t w = display_width(std::string_view(line).substr(start, i - start));
    if (cp == utf8::kInvalid || used + w > width) break;
    used += w;
    out.append(line, start, i - start);
  }
  return out;
}

std::size_t digits_of(std::int64_t v) { return std::to_string(v).size(); }

}  // namespace

std::string draw_activity_bars(const std::vector<ActivityBucket>& buckets, const BarStyle& style) {
  if (buckets.empty()) return cut("No activity yet: nothing has been sent.", style.width) + "\n";
  std::vector<std::string> labels;
  std::size_t label_width = style.hourly ? 4 : 3;  // "hour", "day"
  std::size_t sent_width = 0;
  std::size_t opens_width = 0;
  std::int64_t max = 0;
  for (const auto& b : buckets) {
    labels.push_back(label_of(b.start, style.hourly));
    label_width = std::max(label_width, display_width(labels.back()));
    sent_width = std::max(sent_width, digits_of(b.sent));
    opens_width = std::max(opens_width, digits_of(b.opens));
    max = std::max({max, b.sent, b.opens});
  }
  // label, gap, sent bar, space, sent figure, gap, opens bar, space, opens figure.
  const std::size_t fixed = label_width + 2 * kGap.size() + 2 + sent_width + opens_width;
  std::size_t bar_width = style.width > fixed ? (style.width - fixed) / 2 : 0;
  if (bar_width < kMinBar) bar_width = 0;
  if (bar_width == 0) {
    // Figures alone, under their names.
    sent_width = std::max<std::size_t>(sent_width, 4);
    opens_width = std::max<std::size_t>(opens_width, 5);
  }
  std::string head = pad_right(style.hourly ? "hour" : "day", label_width);
  head += kGap;
  if (bar_width > 0) {
    head += pad_right("sent", bar_width + 1 + sent_width);
    head += kGap;
    head += "opens";
  } else {
    head += pad_left("sent", sent_width);
    head += kGap;
    head += pad_left("opens", opens_width);
  }
  std::string out = cut(head, style.width) + "\n";
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    const ActivityBucket& b = buckets[i];
    std::string line = pad_right(labels[i], label_width);
    line += kGap;
    if (bar_width > 0) {
      line += bar(b.sent, max, bar_width, style.colour ? kSentColour : nullptr);
      line += ' ';
      line += pad_left(std::to_string(b.sent), sent_width);
      line += kGap;
      line += bar(b.opens, max, bar_width, style.colour ? kOpensColour : nullptr);
      line += ' ';
      line += pad_left(std::to_string(b.opens), opens_width);
    } else {
      line += pad_left(std::to_string(b.sent), sent_width);
      line += kGap;
      line += pad_left(std::to_string(b.opens), opens_width);
      line = cut(line, style.width);
    }
    out += line;
    out += '\n';
  }
  return out;
}

}  // namespace mailer::cli
