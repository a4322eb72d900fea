#pragma once
// The one reader of time options (--start, --end, --since, ...): SPEC §1 forms against the
// command's now, and a note when a date alone is taken to mean midnight.
#include <string>
#include <string_view>

#include "context.hpp"
#include "mailer/base/time.hpp"

namespace mailer::cli {

// Parses `text` given to `option` (see parse_time_input). A date alone gets a note on
// stderr (unless -q) saying that it means 00:00 local time. Error{data} naming the option.
Time time_option(Context& ctx, const std::string& text, std::string_view option);

}  // namespace mailer::cli
