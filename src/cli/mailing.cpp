// mailer mailing ...: who gets which message when (SPEC §2, §3).
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <memory>

#include <fmt/format.h>

#include "context.hpp"
#include "mailer/base/error.hpp"
#include "mailer/base/utf8.hpp"
#include "mailer/core/mailing_summary.hpp"
#include "mailer/core/mailings.hpp"
#include "output.hpp"
#include "text_width.hpp"
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

// The last run in one line: "7, started ..., finished ...: sent 10, bounced 1, failed 0 of 11".
std::string last_run_text(const std::optional<RunTally>& run) {
  if (!run) return "never";
  std::string out = fmt::format("{}, started {}, ", run->id, format_local(run->started_at));
  out += run->finished_at ? fmt::format("finished {}", format_local(*run->finished_at)) : "still open";
  out += fmt::format(": sent {}, bounced {}, failed {}", run->sent, run->bounced, run->failed);
  if (run->deferred) out += fmt::format(", deferred {}", run->deferred);
  return out + fmt::format(" of {}", run->recipients);
}

void print_mailing(Context& ctx, const MailingOverview& o) {
  const Mailing& m = o.mailing;
  if (ctx.options.json) {
    ctx.print_json(to_json(m, o.summary));
    return;
  }
  ctx.out += render_fields(
      {{"id", std::to_string(m.id)},
       {"name", m.name},
       {"owner", m.owner_email},
       {"message", std::to_string(m.message)},
       {"subject", o.summary.subject},
       {"recipients", recipients_text(m)},
       {"recipient_count", fmt::format("{} (a run started now; unsubscribed and suppressed ones left out)",
                                       o.summary.recipients)},
       {"last_run", last_run_text(o.summary.last_run)},
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

// The terminal's columns when standard output is one; none (no limit) when it is piped.
std::optional<std::size_t> terminal_columns() {
  if (::isatty(STDOUT_FILENO) != 1) return std::nullopt;
  winsize size{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

// Fits a table (`rows`, headers first) into `columns`: shrinks the `elastic` columns, widest
// first and down to a few letters each (cut cells end with "…"), then leaves out the
// `droppable` ones in that order while it is still too wide. A table that cannot fit keeps
// the rest whole: the terminal wraps it.
void fit_columns(std::vector<std::vector<std::string>>& rows, const std::vector<std::size_t>& elastic,
                 const std::vector<std::size_t>& droppable, std::size_t columns) {
  constexpr std::size_t kNarrowest = 10;
  std::vector<std::size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size(); ++i)
      widths[i] = std::max(widths[i], display_width(utf8::visible(row[i])));
  const std::vector<std::size_t> natural = widths;
  std::vector<bool> kept(widths.size(), true);
  // The width of the kept columns, the elastic ones at `natural` and cut until it fits.
  const auto shrink = [&] {
    std::size_t total = 0;
    for (std::size_t i = 0; i < widths.size(); ++i)
      if (kept[i]) total += (total ? 2 : 0) + (widths[i] = natural[i]);
    while (total > columns) {
      auto widest = std::max_element(elastic.begin(), elastic.end(), [&](std::size_t a, std::size_t b) {
        return (kept[a] ? widths[a] : 0) < (kept[b] ? widths[b] : 0);
      });
      if (widest == elastic.end() || !kept[*widest] || widths[*widest] <= kNarrowest) break;
      --widths[*widest];
      --total;
    }
    return total;
  };
  // Each column left out gives the others back the room it took.
  for (std::size_t i : droppable) {
    if (shrink() <= columns) break;
    kept[i] = false;
  }
  shrink();
  for (auto& row : rows) {
    std::vector<std::string> fitted;
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (!kept[i]) continue;
      const bool cut = std::find(elastic.begin(), elastic.end(), i) != elastic.end();
      fitted.push_back(cut ? ellipsize(row[i], widths[i]) : std::move(row[i]));
    }
    row = std::move(fitted);
  }
}

std::string count_cell(const std::optional<RunTally>& run, std::int64_t RunTally::*count) {
  return run ? std::to_string((*run).*count) : "-";
}

void print_mailings(Context& ctx, const std::vector<MailingOverview>& mailings, bool with_owner) {
  if (ctx.options.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& o : mailings) arr.push_back(to_json(o.mailing, o.summary));
    ctx.print_json(arr);
    return;
  }
  // RECIPIENTS counts the clients a run started now would send to; SENT, BOUNCED and FAILED
  // are the last run's, each recipient's final state ("-": never run).
  std::vector<std::vector<std::string>> rows = {{"ID", "NAME", "MESSAGE", "SUBJECT", "TO", "RECIPIENTS",
                                                 "EVERY", "NEXT RUN", "STATUS", "SENT", "BOUNCED", "FAILED"}};
  if (with_owner) rows.front().push_back("OWNER");
  for (const auto& [m, summary] : mailings) {
    std::string status(schedule::to_string(m.status));
    if (!m.enabled) status += " (disabled)";
    std::vector<std::string> row = {std::to_string(m.id),
                                    m.name,
                                    std::to_string(m.message),
                                    summary.subject,
                                    ellipsize(recipients_text(m), 40),
                                    std::to_string(summary.recipients),
                                    std::string(schedule::to_string(m.every)),
                                    table_time(m.next_run_at),
                                    status,
                                    count_cell(summary.last_run, &RunTally::sent),
                                    count_cell(summary.last_run, &RunTally::bounced),
                                    count_cell(summary.last_run, &RunTally::failed)};
    if (with_owner) row.push_back(m.owner_email);
    rows.push_back(std::move(row));
  }
  // Cut first the subject, the recipients' names and the name; then leave out the message id
  // (the subject names it), the recipients' names and the period: `mailing show` has them.
  if (auto columns = terminal_columns()) fit_columns(rows, {3, 4, 1}, {2, 4, 6}, *columns);
  Table t(rows.front());
  for (std::size_t i = 1; i < rows.size(); ++i) t.add(std::move(rows[i]));
  ctx.out += t.render();
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
    auto* cmd = mailing->add_subcommand(
        "list", "List mailings with their subject, recipients and the last run's sent, bounced and failed");
    cmd->add_flag("--all", o->all, "Everyone's mailings, with their owner (manager)");
    cmd->callback([&ctx, o] {
      print_mailings(ctx, list_mailing_overviews(ctx.db(), ctx.actor(), Scope{o->all}), o->all);
    });
  }
  {
    auto o = std::make_shared<MailingOptions>();
    auto* cmd = mailing->add_subcommand(
        "show", "Show a mailing with its subject, recipients and the last run's sent, bounced and failed");
    cmd->add_option("ID", o->id, "The mailing's id")->required();
    cmd->callback([&ctx, o] { print_mailing(ctx, show_mailing_overview(ctx.db(), ctx.actor(), o->id)); });
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
