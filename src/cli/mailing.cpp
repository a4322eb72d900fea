// mailer mailing ...: who gets which message when (SPEC §2, §3).
#include <memory>

#include <fmt/format.h>

#include "context.hpp"
#include "mailer/base/error.hpp"
#include "mailer/core/mailings.hpp"
#include "output.hpp"
#include "time_option.hpp"

namespace mailer::cli {
namespace {

struct MailingOptions {
  std::optional<Id> message;
  std::optional<std::string> name, start, end, every;
  std::vector<Id> clients;
  std::vector<std::string> groups;
  bool no_end = false;
  bool all = false;
  Id id = 0;
  std::vector<Id> ids;
};

std::string recipients_text(const Mailing& m) {
  std::string out;
  for (const auto& g : m.groups) out += (out.empty() ? "" : ", ") + ("group " + g);
  for (Id c : m.clients) out += (out.empty() ? "" : ", ") + fmt::format("client {}", c);
  return out;
}

void print_mailing(Context& ctx, const Mailing& m) {
  if (ctx.options.json) {
    ctx.print_json(to_json(m));
    return;
  }
  ctx.out += render_fields({{"id", std::to_string(m.id)},
                            {"name", m.name},
                            {"owner", m.owner_email},
                            {"message", std::to_string(m.message)},
                            {"recipients", recipients_text(m)},
                            {"every", std::string(schedule::to_string(m.every))},
                            {"start_at", format_local(m.start_at)},
                            {"end_at", table_time(m.end_at)},
                            {"next_run_at", table_time(m.next_run_at)},
                            {"status", std::string(schedule::to_string(m.status))},
                            {"enabled", m.enabled ? "yes" : "no (disabled by a manager)"},
                            {"created_at", format_local(m.created_at)}});
}

MailingInput input_from(Context& ctx, const MailingOptions& o) {
  MailingInput in;
  in.message = o.message;
  in.name = o.name;
  if (!o.clients.empty()) in.clients = o.clients;
  if (!o.groups.empty()) in.groups = o.groups;
  if (o.start) in.start_at = time_option(ctx, *o.start, "--start");
  if (o.end) in.end_at = time_option(ctx, *o.end, "--end");
  in.clear_end = o.no_end;
  if (o.every) {
    in.every = schedule::parse_every(*o.every);
    if (!in.every)
      throw Error(Errc::data, fmt::format("--every: unknown period '{}'", *o.every),
                  "use once, daily, weekly or monthly");
  }
  return in;
}

// A periodic mailing given a start in the past does not send for the slots it missed: say
// when it runs instead (SPEC §3).
void note_past_start(Context& ctx, const MailingInput& input, const Mailing& m) {
  if (!input.start_at || *input.start_at >= ctx.now() || m.every == schedule::Every::once) return;
  if (m.next_run_at && *m.next_run_at <= ctx.now())
    ctx.note(fmt::format("--start {} is in the past: the mailing runs at the next `send --due`, then {}",
                         format_local(*input.start_at), schedule::to_string(m.every)));
  else
    ctx.note(fmt::format("--start {} is in the past: the next run is {}", format_local(*input.start_at),
                         table_time(m.next_run_at)));
}

void add_schedule_options(CLI::App* cmd, MailingOptions& o) {
  cmd->add_option("--message", o.message, "The message to send (its id)");
  cmd->add_option("--name", o.name, "A name for the mailing");
  cmd->add_option("--client", o.clients, "Recipient client ids");
  cmd->add_option("--group", o.groups, "Recipient groups (members resolved when each run starts)");
  cmd->add_option("--start", o.start, "First send: ISO 8601 local time or now (default now)");
  cmd->add_option("--end", o.end, "No sends after this time");
  cmd->add_option("--every", o.every, "once, daily, weekly or monthly (default once)");
}

}  // namespace

void register_mailing(CLI::App& app, Context& ctx) {
  auto* mailing = app.add_subcommand("mailing", "Mailings: a message, its recipients and a schedule");
  mailing->require_subcommand(1);
  {
    auto o = std::make_shared<MailingOptions>();
    auto* cmd = mailing->add_subcommand("add", "Create a mailing");
    add_schedule_options(cmd, *o);
    cmd->callback([&ctx, o] {
      if (!o->message) throw Error(Errc::usage, "--message is required");
      MailingInput input = input_from(ctx, *o);
      Mailing m = add_mailing(ctx.db(), ctx.actor(), input, ctx.now());
      note_past_start(ctx, input, m);
      if (ctx.options.json)
        ctx.print_json(to_json(m));
      else
        ctx.note(fmt::format("added mailing {}; next run {}", m.id, table_time(m.next_run_at)));
    });
  }
  {
    auto o = std::make_shared<MailingOptions>();
    auto* cmd = mailing->add_subcommand("list", "List mailings");
    cmd->add_flag("--all", o->all, "Everyone's mailings, with their owner (manager)");
    cmd->callback([&ctx, o] {
      auto mailings = list_mailings(ctx.db(), ctx.actor(), Scope{o->all});
      if (ctx.options.json) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& m : mailings) arr.push_back(to_json(m));
        ctx.print_json(arr);
        return;
      }
      std::vector<std::string> headers = {"ID",    "NAME",     "MESSAGE", "RECIPIENTS",
                                          "EVERY", "NEXT RUN", "STATUS"};
      if (o->all) headers.push_back("OWNER");
      Table t(headers);
      for (const auto& m : mailings) {
        std::string status(schedule::to_string(m.status));
        if (!m.enabled) status += " (disabled)";
        std::vector<std::string> row = {std::to_string(m.id),
                                        m.name,
                                        std::to_string(m.message),
                                        ellipsize(recipients_text(m), 40),
                                        std::string(schedule::to_string(m.every)),
                                        table_time(m.next_run_at),
                                        status};
        if (o->all) row.push_back(m.owner_email);
        t.add(row);
      }
      ctx.out += t.render();
    });
  }
  {
    auto o = std::make_shared<MailingOptions>();
    auto* cmd = mailing->add_subcommand("show", "Show a mailing");
    cmd->add_option("ID", o->id, "The mailing's id")->required();
    cmd->callback([&ctx, o] { print_mailing(ctx, show_mailing(ctx.db(), ctx.actor(), o->id)); });
  }
  {
    auto o = std::make_shared<MailingOptions>();
    auto* cmd = mailing->add_subcommand("edit", "Change a mailing (--client/--group replace the recipients)");
    cmd->add_option("ID", o->id, "The mailing's id")->required();
    add_schedule_options(cmd, *o);
    cmd->add_flag("--no-end", o->no_end, "Remove the end time");
    cmd->callback([&ctx, o] {
      MailingInput input = input_from(ctx, *o);
      Mailing m = edit_mailing(ctx.db(), ctx.actor(), o->id, input, ctx.now());
      note_past_start(ctx, input, m);
      if (ctx.options.json)
        ctx.print_json(to_json(m));
      else
        ctx.note(fmt::format("updated mailing {}; next run {}", m.id, table_time(m.next_run_at)));
    });
  }
  {
    auto o = std::make_shared<MailingOptions>();
    auto* cmd = mailing->add_subcommand(
        "rm", "Remove mailings (all or none) with their runs and attempts; not while one is being sent");
    cmd->add_option("ID", o->ids, "Mailing ids")->required();
    cmd->callback([&ctx, o] {
      remove_mailings(ctx.db(), ctx.actor(), o->ids);
      if (ctx.options.json)
        ctx.print_json({{"removed", o->ids}});
      else
        ctx.note(fmt::format("removed {} mailing(s)", o->ids.size()));
    });
  }
  {
    auto o = std::make_shared<MailingOptions>();
    auto* cmd = mailing->add_subcommand("stop", "Finish a mailing early (owner)");
    cmd->add_option("ID", o->id, "The mailing's id")->required();
    cmd->callback([&ctx, o] {
      Mailing m = stop_mailing(ctx.db(), ctx.actor(), o->id, ctx.now());
      if (ctx.options.json)
        ctx.print_json(to_json(m));
      else
        ctx.note(fmt::format("mailing {} finished", m.id));
    });
  }
  for (bool enable : {false, true}) {
    auto o = std::make_shared<MailingOptions>();
    auto* cmd = mailing->add_subcommand(enable ? "enable" : "disable",
                                        enable ? "Let a disabled mailing send again (manager)"
                                               : "Stop any mailing from sending until enabled (manager)");
    cmd->add_option("ID", o->id, "The mailing's id")->required();
    cmd->callback([&ctx, o, enable] {
      Mailing m = set_mailing_enabled(ctx.db(), ctx.actor(), o->id, enable);
      if (ctx.options.json)
        ctx.print_json(to_json(m));
      else
        ctx.note(fmt::format("mailing {} {}", m.id, enable ? "enabled" : "disabled"));
    });
  }
}

}  // namespace mailer::cli
