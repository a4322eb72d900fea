// mailer report recipients: who of a mailing's recipients got it, opened, clicked, left.
#include <memory>

#include "report_commands.hpp"

namespace mailer::cli {
namespace {

struct RecipientOptions {
  Id mailing = 0;
  std::optional<std::string> status;
  bool opened = false, not_opened = false, clicked = false;
  ReportFormat format;
};

nlohmann::json to_json(const RecipientReport& r) {
  return {{"client", r.client ? nlohmann::json(*r.client) : nlohmann::json()},
          {"email", r.email},
          {"name", r.name},
          {"status", r.status},
          {"smtp_code", r.smtp_code ? nlohmann::json(*r.smtp_code) : nlohmann::json()},
          {"server_response", r.server_response},
          {"tries", r.tries},
          {"sent_at", json_time(r.sent_at)},
          {"opened_at", json_time(r.opened_at)},
          {"clicked_at", json_time(r.clicked_at)},
          {"unsubscribed_at", json_time(r.unsubscribed_at)},
          {"bounced_at", json_time(r.bounced_at)}};
}

}  // namespace

void register_report_recipients(CLI::App& report, Context& ctx) {
  auto o = std::make_shared<RecipientOptions>();
  auto* cmd =
      report.add_subcommand("recipients", "One row per recipient of a mailing: last status, opens, clicks");
  cmd->add_option("--mailing", o->mailing, "The mailing")->required();
  cmd->add_option("--status", o->status, "Only sent, bounced, deferred, failed or pending (the last status)")
      ->check(CLI::IsMember({"sent", "bounced", "deferred", "failed", "pending"}));
  auto* opened = cmd->add_flag("--opened", o->opened, "Only those who opened it");
  auto* not_opened = cmd->add_flag("--not-opened", o->not_opened, "Only those who did not open it");
  auto* clicked = cmd->add_flag("--clicked", o->clicked, "Only those who clicked a link in it");
  opened->excludes(not_opened)->excludes(clicked);
  not_opened->excludes(clicked);
  add_report_format(*cmd, o->format);
  cmd->callback([&ctx, o] {
    RecipientFilter filter;
    filter.mailing = o->mailing;
    filter.status = o->status;
    if (o->opened) filter.engagement = Engagement::opened;
    if (o->not_opened) filter.engagement = Engagement::not_opened;
    if (o->clicked) filter.engagement = Engagement::clicked;
    auto rows = recipient_report(ctx.db(), ctx.actor(), filter);
    auto opt = [](const auto& v) { return v ? std::to_string(*v) : std::string(); };
    if (ctx.options.json) {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& r : rows) arr.push_back(to_json(r));
      ctx.print_json(arr);
      return;
    }
    if (o->format.csv()) {
      std::vector<std::vector<std::string>> cells;
      for (const auto& r : rows)
        cells.push_back({opt(r.client), r.email, r.name, r.status, opt(r.smtp_code), r.server_response,
                         std::to_string(r.tries), csv_time(r.sent_at), csv_time(r.opened_at),
                         csv_time(r.clicked_at), csv_time(r.unsubscribed_at), csv_time(r.bounced_at)});
      ctx.out += render_csv({"client", "email", "name", "status", "smtp_code", "server_response", "tries",
                             "sent_at", "opened_at", "clicked_at", "unsubscribed_at", "bounced_at"},
                            cells, {false, true, true, false, false, true}, o->format.separator());
      return;
    }
    Table t({"EMAIL", "NAME", "STATUS", "CODE", "TRIES", "SENT", "OPENED", "CLICKED", "UNSUBSCRIBED",
             "BOUNCED", "SERVER RESPONSE"});
    const bool terminal = stdout_is_terminal();
    for (const auto& r : rows)
      t.add({r.email, ellipsize(r.name, 24), r.status, opt(r.smtp_code), std::to_string(r.tries),
             table_time(r.sent_at), table_time(r.opened_at), table_time(r.clicked_at),
             table_time(r.unsubscribed_at), table_time(r.bounced_at),
             reply_cell(r.server_response, terminal)});
    ctx.out += t.render();
  });
}

}  // namespace mailer::cli
