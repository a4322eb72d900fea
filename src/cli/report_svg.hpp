#pragma once
// The HTML report's charts: inline SVG drawn from the day buckets, pure but for the local zone
// (TZ) that names the days.
#include <string>
#include <vector>

#include "mailer/base/records/reports.hpp"

namespace mailer::cli {

// Stacked bars of the recipients per day by final status (sent, deferred, bounced, failed),
// with axes, a legend and a tooltip per day. "" when no day has a delivery.
std::string svg_deliveries_chart(const std::vector<ActivityBucket>& days);

// Opens and clicks per day as two lines with the same axes. "" when there is neither.
std::string svg_engagement_chart(const std::vector<ActivityBucket>& days);

}  // namespace mailer::cli
