#pragma once
// The subcommands of `mailer report` beside its own table, one file each, and `mailer stats`.
#include <string>

#include <CLI/CLI.hpp>

#include "context.hpp"
#include "mailer/core/reports.hpp"
#include "output.hpp"

namespace mailer::cli {

void register_report_attempts(CLI::App& report, Context& ctx);
void register_report_recipients(CLI::App& report, Context& ctx);
void register_report_links(CLI::App& report, Context& ctx);
void register_report_bounces(CLI::App& report, Context& ctx);
void register_stats(CLI::App& app, Context& ctx);

// `report --mailing ID` on a terminal: deliveries and opens per hour over the first two days
// after the first send, and per day when it went on longer (report_activity.cpp).
std::string activity_charts(Context& ctx, const ReportFilter& filter);

// The mailings a report covers, from --mailing, --all, --since and --until.
ReportFilter report_filter(Context& ctx, std::optional<Id> mailing, bool all,
                           const std::optional<std::string>& since, const std::optional<std::string>& until);
// `report --html FILE`: the page, written to a temporary file beside FILE and renamed over it.
void write_html_report(Context& ctx, const ReportFilter& filter, std::vector<MailingReport> mailings,
                       const std::string& file);

// `report --mailing ID`: "Bounces by reason:" and a small table beneath the totals; empty
// when there were none (report_bounces.cpp).
std::string bounce_reasons_block(const std::vector<BounceEventReason>& rows);
// `report --json`: each mailing object gets `bounce_reasons`, [{reason, severity, bounces}].
void add_bounce_reasons(nlohmann::json& mailings, const std::vector<BounceEventReason>& rows);

// The reply on one table row: cut to fit a terminal, whole when piped (a script or a pager
// gets every word the server said; --json and CSV keep the line breaks too).
std::string reply_cell(const std::string& reply, bool terminal);

}  // namespace mailer::cli
