// mailer report attempts: the delivery log with each server's reply (SPEC §2).
#include <memory>

#include <fmt/format.h>

#include "context.hpp"
#include "mailer/dispatch.hpp"
#include "output.hpp"

namespace mailer::cli {
namespace {

struct ReportOptions {
  std::optional<Id> mailing;
  std::optional<std::string> status;
  bool all = false;
};

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
  cmd->callback([&ctx, o] {
    auto attempts = list_attempts(ctx.db(), ctx.actor(), AttemptFilter{o->mailing, o->status, o->all});
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
    for (const auto& a : attempts)
      t.add({std::to_string(a.id), std::to_string(a.mailing), format_local(a.at), a.email, a.status,
             a.smtp_code ? std::to_string(*a.smtp_code) : "", ellipsize(a.server_response, 70)});
    ctx.out += t.render();
  });
}

}  // namespace mailer::cli
