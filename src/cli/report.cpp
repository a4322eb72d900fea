// mailer report: per-mailing totals and rates (SPEC §2), its pictures, and `report attempts`,
// the delivery log with each server's reply.
#include <limits>
#include <memory>

#include <fmt/format.h>

#include "mailer/base/error.hpp"
#include "mailer/base/validate.hpp"
#include "mailer/core/attempts.hpp"
#include "report_commands.hpp"
#include "time_option.hpp"

namespace mailer::cli {
namespace {

struct TotalsOptions {
  std::optional<Id> mailing;
  std::optional<std::string> since, until, html;
  bool all = false;
  ReportFormat format;
};

struct AttemptOptions {
  std::optional<Id> mailing;
  std::optional<std::string> status;
  bool all = false;
  std::optional<std::string> since, email;
  bool final = false;
  ReportFormat format;
};

nlohmann::json to_json(const MailingReport& r) {
  return {{"mailing", r.mailing},
          {"name", r.name},
          {"owner", r.owner_email},
          {"subject", r.subject},
          {"recipients", r.recipients},
          {"sent", r.sent},
          {"bounced", r.bounced},
          {"deferred", r.deferred},
          {"failed", r.failed},
          {"opened", r.opened},
          {"opens", r.opens},
          {"clicked", r.clicked},
          {"clicks", r.clicks},
          {"unsubscribed", r.unsubscribed},
          {"delivery_rate", r.delivery_rate},
          {"open_rate", r.open_rate},
          {"click_rate", r.click_rate}};
}

void print_totals(Context& ctx, const ReportFilter& filter, const std::vector<MailingReport>& rows,
                  const TotalsOptions& o) {
  if (ctx.options.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& r : rows) arr.push_back(to_json(r));
    add_bounce_reasons(arr, bounce_events_per_mailing(ctx.db(), ctx.actor(), filter));
    ctx.print_json(arr);
    return;
  }
  auto n = [](std::int64_t v) { return std::to_string(v); };
  if (o.format.csv()) {
    const char d = o.format.separator();
    std::vector<std::vector<std::string>> cells;
    for (const auto& r : rows)
      cells.push_back({n(r.mailing), r.name, r.owner_email, r.subject, n(r.recipients), n(r.sent),
                       n(r.bounced), n(r.deferred), n(r.failed), n(r.opened), n(r.opens), n(r.clicked),
                       n(r.clicks), n(r.unsubscribed), csv_decimal(r.delivery_rate, d),
                       csv_decimal(r.open_rate, d), csv_decimal(r.click_rate, d)});
    ctx.out += render_csv(
        {"mailing", "name", "owner", "subject", "recipients", "sent", "bounced", "deferred", "failed",
         "opened", "opens", "clicked", "clicks", "unsubscribed", "delivery_rate", "open_rate", "click_rate"},
        cells, {false, true, true, true}, d);
    return;
  }
  std::vector<std::string> head = {"MAILING", "NAME"};
  if (o.all) head.push_back("OWNER");
  for (const char* h : {"RECIPIENTS", "SENT", "BOUNCED", "DEFERRED", "FAILED", "OPENED", "OPENS", "CLICKED",
                        "CLICKS", "UNSUB", "DELIVERED", "OPEN RATE", "CLICK RATE"})
    head.push_back(h);
  Table t(head);
  for (const auto& r : rows) {
    std::vector<std::string> row = {n(r.mailing), ellipsize(r.name, 30)};
    if (o.all) row.push_back(r.owner_email);
    for (std::int64_t v : {r.recipients, r.sent, r.bounced, r.deferred, r.failed, r.opened, r.opens,
                           r.clicked, r.clicks, r.unsubscribed})
      row.push_back(n(v));
    row.push_back(percent(r.delivery_rate));
    row.push_back(percent(r.open_rate));
    row.push_back(percent(r.click_rate));
    t.add(std::move(row));
  }
  ctx.out += t.render();
  if (o.mailing) ctx.out += bounce_reasons_block(bounce_events_per_mailing(ctx.db(), ctx.actor(), filter));
}

// An option of `report` itself given after one of its subcommands reached the parent only
// because global options fall through: refused rather than ignored.
void refuse_stray(CLI::App& report, const std::vector<CLI::Option*>& own) {
  auto subs = report.get_subcommands();
  if (subs.empty()) return;
  for (const CLI::Option* opt : own)
    if (opt->count() > 0)
      throw Error(Errc::usage, fmt::format("{} is not an option of `mailer report {}`", opt->get_name(),
                                           subs.front()->get_name()));
}

}  // namespace

ReportFilter report_filter(Context& ctx, std::optional<Id> mailing, bool all,
                           const std::optional<std::string>& since, const std::optional<std::string>& until) {
  ReportFilter filter;
  filter.mailing = mailing;
  filter.all = all;
  if (since) filter.since = time_option(ctx, *since, "--since");
  if (until) filter.until = time_option(ctx, *until, "--until");
  return filter;
}

std::string reply_cell(const std::string& reply, bool terminal) {
  return ellipsize(reply, terminal ? 70 : std::numeric_limits<std::size_t>::max());
}

void register_report(CLI::App& app, Context& ctx) {
  auto* report = app.add_subcommand(
      "report", "How each mailing did: totals, rates, recipients, links, bounces, attempts");
  report->require_subcommand(0, 1);
  auto o = std::make_shared<TotalsOptions>();
  std::vector<CLI::Option*> own = {
      report->add_option("--mailing", o->mailing, "Only this mailing (on a terminal: with activity bars)"),
      report->add_option("--since", o->since, "Only runs started at or after WHEN (a time as for --start)"),
      report->add_option("--until", o->until, "Only runs started at or before WHEN"),
      report->add_flag("--all", o->all, "Everyone's mailings, with the owner (manager)"),
      report->add_option("--html", o->html, "Write a self-contained HTML report to FILE instead"),
  };
  add_report_format(*report, o->format);
  own.push_back(report->get_option("--format"));
  own.push_back(report->get_option("--delimiter"));
  register_report_attempts(*report, ctx);
  register_report_recipients(*report, ctx);
  register_report_links(*report, ctx);
  register_report_bounces(*report, ctx);
  // Before any subcommand's callback runs, so that nothing is done under a refused option.
  report->parse_complete_callback([report, own] { refuse_stray(*report, own); });
  report->callback([&ctx, report, o] {
    if (!report->get_subcommands().empty()) return;
    const ReportFilter filter = report_filter(ctx, o->mailing, o->all, o->since, o->until);
    auto rows = mailing_reports(ctx.db(), ctx.actor(), filter);
    if (o->html) {
      write_html_report(ctx, filter, std::move(rows), *o->html);
      ctx.note(fmt::format("wrote {}", *o->html));
      return;
    }
    print_totals(ctx, filter, rows, *o);
    if (o->mailing && !ctx.options.json && !o->format.csv() && stdout_is_terminal())
      ctx.out += activity_charts(ctx, filter);
  });
}

void register_report_attempts(CLI::App& report, Context& ctx) {
  auto o = std::make_shared<AttemptOptions>();
  auto* cmd = report.add_subcommand("attempts", "The attempt log: every try with the SMTP server's reply");
  cmd->add_option("--mailing", o->mailing, "Only this mailing's attempts");
  cmd->add_option("--status", o->status, "Only sent, bounced, deferred or failed")
      ->check(CLI::IsMember({"sent", "bounced", "deferred", "failed"}));
  cmd->add_flag("--all", o->all, "Everyone's attempts (manager)");
  cmd->add_option("--since", o->since, "Only attempts at or after WHEN (a time as for --start)");
  cmd->add_option("--email", o->email, "Only attempts to this address (case-insensitive)");
  cmd->add_flag("--final", o->final, "Only each recipient's last attempt in each run: how it ended");
  add_report_format(*cmd, o->format);
  cmd->callback([&ctx, o] {
    AttemptFilter filter;
    filter.mailing = o->mailing;
    filter.status = o->status;
    filter.all = o->all;
    if (o->since) filter.since = time_option(ctx, *o->since, "--since");
    if (o->email) filter.email = normalize_email(*o->email, "--email");
    filter.final = o->final;
    auto attempts = list_attempts(ctx.db(), ctx.actor(), filter);
    auto opt = [](const auto& v) { return v ? std::to_string(*v) : std::string(); };
    if (ctx.options.json) {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& a : attempts)
        arr.push_back({{"id", a.id},
                       {"run", a.run},
                       {"mailing", a.mailing},
                       {"client", a.client ? nlohmann::json(*a.client) : nlohmann::json()},
                       {"email", a.email},
                       {"at", format_iso(a.at)},
                       {"status", a.status},
                       {"smtp_code", a.smtp_code ? nlohmann::json(*a.smtp_code) : nlohmann::json()},
                       {"server_response", a.server_response}});
      ctx.print_json(arr);
      return;
    }
    if (o->format.csv()) {
      std::vector<std::vector<std::string>> cells;
      for (const auto& a : attempts)
        cells.push_back({std::to_string(a.id), std::to_string(a.run), std::to_string(a.mailing),
                         opt(a.client), a.email, csv_time(a.at), a.status, opt(a.smtp_code),
                         a.server_response});
      ctx.out += render_csv(
          {"id", "run", "mailing", "client", "email", "at", "status", "smtp_code", "server_response"}, cells,
          {false, false, false, false, true, false, false, false, true}, o->format.separator());
      return;
    }
    Table t({"ID", "MAILING", "AT", "EMAIL", "STATUS", "CODE", "SERVER RESPONSE"});
    const bool terminal = stdout_is_terminal();
    for (const auto& a : attempts)
      t.add({std::to_string(a.id), std::to_string(a.mailing), format_local(a.at), a.email, a.status,
             opt(a.smtp_code), reply_cell(a.server_response, terminal)});
    ctx.out += t.render();
  });
}

}  // namespace mailer::cli
