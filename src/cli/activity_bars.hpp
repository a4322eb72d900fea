#pragma once
// `report --mailing ID` on a terminal: deliveries and opens per day (per hour for the first
// two days) as Unicode block bars.
#include <cstddef>
#include <string>
#include <vector>

#include "mailer/base/records/reports.hpp"

namespace mailer::cli {

struct BarStyle {
  std::size_t width = 80;  // terminal columns
  bool colour = false;     // only on a terminal and never with NO_COLOR
  bool hourly = false;     // buckets are hours, not days (labels)
};

// One line per bucket, with its label, a bar for sent and one for opens, and the figures.
std::string draw_activity_bars(const std::vector<ActivityBucket>& buckets, const BarStyle& style);

}  // namespace mailer::cli
