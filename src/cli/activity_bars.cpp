// PLACEHOLDER until the terminal bars land (helper i10-html replaces this file).
#include "activity_bars.hpp"

namespace mailer::cli {

std::string draw_activity_bars(const std::vector<ActivityBucket>& buckets, const BarStyle&) {
  return std::to_string(buckets.size()) + " buckets\n";
}

}  // namespace mailer::cli
