// The pictures of `mailer report`: activity bars on a terminal, and the HTML file. Buckets
// start at local midnights and local hours, so a day is a day of the user's calendar (23 or
// 25 hours long across a DST change).
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "activity_bars.hpp"
#include "mailer/base/error.hpp"
#include "mailer/base/unique_fd.hpp"
#include "report_commands.hpp"
#include "report_html.hpp"

namespace mailer::cli {
namespace {

constexpr Time kHour = 3600;

Time local_midnight(Time t) {
  LocalDateTime l = to_local(t);
  l.hour = l.minute = l.second = 0;
  return from_local(l);
}

// 30 hours past a midnight is always within the next day, whatever DST did.
Time next_midnight(Time t) { return local_midnight(local_midnight(t) + 30 * kHour); }

Time local_hour(Time t) {
  LocalDateTime l = to_local(t);
  l.minute = l.second = 0;
  return from_local(l);
}

// Local midnights from the day of `first` to the one after the day of `last`.
std::vector<Time> day_bounds(Time first, Time last) {
  std::vector<Time> bounds{local_midnight(first)};
  while (bounds.back() <= last) bounds.push_back(next_midnight(bounds.back()));
  return bounds;
}

// Hours from the one of `first`, for two days at most, to the one after that of `last`.
std::vector<Time> hour_bounds(Time first, Time last) {
  const Time start = local_hour(first);
  std::vector<Time> bounds{start};
  while (bounds.back() <= last && bounds.back() < start + 48 * kHour) bounds.push_back(bounds.back() + kHour);
  return bounds;
}

void write_all(int fd, const std::string& text, const std::string& file) {
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error(Errc::io_error, fmt::format("cannot write {}: {}", file, std::strerror(errno)));
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

std::string activity_charts(Context& ctx, const ReportFilter& filter) {
  auto span = activity_span(ctx.db(), ctx.actor(), filter);
  if (!span) return {};
  BarStyle style;
  style.width = terminal_columns();
  style.colour = colour_on_stdout();
  style.hourly = true;
  const auto hours = hour_bounds(span->first, span->last);
  std::string out = "\nPer hour after the first send:\n";
  out += draw_activity_bars(activity(ctx.db(), ctx.actor(), filter, hours), style);
  if (span->last >= hours.front() + 48 * kHour) {
    style.hourly = false;
    out += "\nPer day:\n";
    out += draw_activity_bars(activity(ctx.db(), ctx.actor(), filter, day_bounds(span->first, span->last)),
                              style);
  }
  return out;
}

void write_html_report(Context& ctx, const ReportFilter& filter, std::vector<MailingReport> mailings,
                       const std::string& file) {
  HtmlReport page;
  page.generated_at = ctx.now();
  if (filter.mailing && !mailings.empty())
    page.title = fmt::format("Mailing {}: {}", mailings.front().mailing, mailings.front().name);
  else
    page.title = filter.all ? "All mailings" : fmt::format("Mailings of {}", ctx.user().email);
  if (auto span = activity_span(ctx.db(), ctx.actor(), filter))
    page.days = activity(ctx.db(), ctx.actor(), filter, day_bounds(span->first, span->last));
  page.top_links = link_report(ctx.db(), ctx.actor(), filter, 10);
  // The reasons the bounce events give; complaints are no bounces and stay out of this page.
  page.bounce_events = bounce_events(ctx.db(), ctx.actor(), filter);
  std::erase_if(page.bounce_events, [](const BounceEventReason& r) { return r.kind != "bounce"; });
  page.bounce_reasons = bounce_reasons(ctx.db(), ctx.actor(), filter);
  page.mailings = std::move(mailings);
  const std::string html = render_html_report(page);

  // Beside the target, so that the rename stays on one file system and a reader (a browser
  // reloading it, a web server) sees the old page or the new one, never half of it.
  std::string temp = file + ".XXXXXX";
  UniqueFd fd(::mkstemp(temp.data()));
  if (!fd) throw Error(Errc::io_error, fmt::format("cannot write {}: {}", file, std::strerror(errno)));
  bool renamed = false;
  struct Cleanup {
    const std::string& path;
    const bool& done;
    ~Cleanup() {
      if (!done) ::unlink(path.c_str());
    }
  } cleanup{temp, renamed};
  write_all(fd.get(), html, file);
  if (::fsync(fd.get()) != 0 || fd.close() != 0)
    throw Error(Errc::io_error, fmt::format("cannot write {}: {}", file, std::strerror(errno)));
  if (::rename(temp.c_str(), file.c_str()) != 0)
    throw Error(Errc::io_error, fmt::format("cannot write {}: {}", file, std::strerror(errno)));
  renamed = true;
}

}  // namespace mailer::cli
