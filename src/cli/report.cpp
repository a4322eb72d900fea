// mailer report attempts: the delivery log with each server's reply (SPEC §2).
#include <unistd.h>

#include <limits>
#include <memory>

#include <fmt/format.h>

#include "context.hpp"
#include "mailer/base/validate.hpp"
#include "mailer/mail/dispatch.hpp"
#include "output.hpp"
#include "time_option.hpp"

namespace mailer::cli {
namespace {

struct ReportOptions {
  std::optional<Id> mailing;
  std::optional<std::string> status;
  bool all = false;
  std::optional<std::string> since, email;
  bool final = false;
};

// The reply on one table row: cut to fit a terminal, whole when piped (a script or a pager
// gets every word the server said; --json keeps the line breaks too).
// Line breaks become spaces either way: one attempt, one line.
std::string reply_cell(const std::string& reply, bool terminal) {
  return ellipsize(reply, terminal ? 70 : std::numeric_limits<std::size_t>::max());
}

}  // namespace

void register_report(CLI::App& app, Context& ctx) {
  auto* report = app.add_subcommand("report", "What was sent, bounced, deferred");
  report->require_subcommand(1);
  auto o = std::make_shared<ReportOptions>();
  auto* cmd = report->add_subcommand("attempts", "The attempt log: every try with the SMTP server's reply");
  cmd->add_option("--mailing", o->mailing, "Only this mailing's attempts");
  cmd->add_option("--status", o->status, "Only sent, bounced, deferred or failed")
      ->check(CLI::IsMember({"sent", "bounced", "deferred", "failed"}));
  cmd->add_flag("--all", o->all, "Everyone's attempts (manager)");
  cmd->add_option("--since", o->since, "Only attempts at or after WHEN (a time as for --start)");
  cmd->add_option("--email", o->email, "Only attempts to this address (case-insensitive)");
  cmd->add_flag("--final", o->final, "Only each recipient's last attempt in each run: how it ended");
  cmd->callback([&ctx, o] {
    AttemptFilter filter;
    filter.mailing = o->mailing;
    filter.status = o->status;
    filter.all = o->all;
    if (o->since) filter.since = time_option(ctx, *o->since, "--since");
    if (o->email) filter.email = normalize_email(*o->email, "--email");
    filter.final = o->final;
    auto attempts = list_attempts(ctx.db(), ctx.actor(), filter);
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
    Table t({"ID", "MAILING", "AT", "EMAIL", "STATUS", "CODE", "SERVER RESPONSE"});
    const bool terminal = ::isatty(STDOUT_FILENO) == 1;
    for (const auto& a : attempts)
      t.add({std::to_string(a.id), std::to_string(a.mailing), format_local(a.at), a.email, a.status,
             a.smtp_code ? std::to_string(*a.smtp_code) : "", reply_cell(a.server_response, terminal)});
    ctx.out += t.render();
  });
}

}  // namespace mailer::cli
