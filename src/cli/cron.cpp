// mailer cron show|install|remove: the crontab line for `send --due` (SPEC §2).
#include <filesystem>

#include <fmt/format.h>

#include "context.hpp"
#include "cron_line.hpp"
#include "mailer/base/error.hpp"
#include "mailer/core/cron.hpp"
#include "mailer/core/paths.hpp"

namespace mailer::cli {
namespace {

struct CronLine {
  std::string text;
  std::string marker;
  std::string log;
};

CronLine our_line(Context& ctx) {
  ctx.user();  // SPEC §4: not among the commands that need no session
  ConfigLocation where = locate_config(ctx.options.config, ctx.env);
  std::error_code ec;
  bool exists = std::filesystem::exists(where.path, ec);
  std::string config_path = std::filesystem::absolute(where.path, ec).lexically_normal().string();
  std::string state_dir = paths::state_home(ctx.env);
  std::string log = state_dir + "/mailer/cron.log";
  std::filesystem::create_directories(state_dir + "/mailer", ec);
  const std::string& db = ctx.config().db_path;
  const std::string marker = cron::marker(config_path, db);
  return {cron::line(cron_command(cron::self_path(), config_path, exists, db), log, marker), marker, log};
}

}  // namespace

void register_cron(CLI::App& app, Context& ctx) {
  auto* cron_cmd = app.add_subcommand("cron", "The crontab line that runs `mailer send --due` every minute");
  cron_cmd->require_subcommand(1);
  cron_cmd
      ->add_subcommand("show", "Print the crontab line (--json: with its log and whether it is installed)")
      ->callback([&ctx] {
        CronLine l = our_line(ctx);
        if (!ctx.options.json) {
          ctx.out += l.text + "\n";  // the exact line, for a script or a hand-edited crontab
          return;
        }
        // Only --json reads the crontab: the plain line is printed without touching it.
        bool installed = false;
        try {
          installed = cron::has_line(cron::read_crontab(ctx.env), l.text);
        } catch (const Error& e) {
          if (e.code() != Errc::config) throw;  // no crontab program: nothing can be installed
        }
        ctx.print_json({{"line", l.text}, {"installed", installed}, {"log", l.log}, {"marker", l.marker}});
      });
  cron_cmd->add_subcommand("install", "Add the line to your crontab (idempotent)")->callback([&ctx] {
    CronLine l = our_line(ctx);
    bool changed = false;
    std::string text = cron::with_line(cron::read_crontab(ctx.env), l.text, l.marker, changed);
    if (changed) cron::write_crontab(text, ctx.env);
    ctx.note(changed ? "installed: " + l.text : "already installed: " + l.text);
  });
  cron_cmd->add_subcommand("remove", "Remove the line from your crontab")->callback([&ctx] {
    CronLine l = our_line(ctx);
    bool changed = false;
    std::string text = cron::without_line(cron::read_crontab(ctx.env), l.marker, changed);
    if (changed) cron::write_crontab(text, ctx.env);
    ctx.note(changed ? "removed the mailer line from your crontab" : "no mailer line in your crontab");
  });
}

}  // namespace mailer::cli
