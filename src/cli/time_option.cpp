#include "time_option.hpp"

#include <fmt/format.h>

namespace mailer::cli {

Time time_option(Context& ctx, const std::string& text, std::string_view option) {
  const ParsedTime t = parse_time_input(text, ctx.now(), option);
  // Said on every use, as "07.12.2026" for a start time is more often a slip than midnight.
  if (t.date_only)
    ctx.note(fmt::format("{}: a date alone means 00:00 local time ({})", option, format_local(t.at)));
  return t.at;
}

}  // namespace mailer::cli
