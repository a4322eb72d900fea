// mailer bounces fetch | list | show (SPEC §2, §3): the bounce mailbox read over IMAP, and what
// was read. fetch is unattended (no session, like send --due); list and show need one: a plain
// user sees the reports matched to attempts of their own mailings, managers and superusers see
// every report, the unmatched ones too.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "bounces_module.hpp"
#include "context.hpp"
#include "mailer/base/error.hpp"
#include "mailer/bounces/fetch.hpp"
#include "mailer/core/access.hpp"
#include "output.hpp"

namespace mailer::cli {

const bounces::Parser& bounces_parser();

namespace {

// One line on stderr, redrawn at most ten times a second (a terminal only).
class Progress {
 public:
  void operator()(std::uint64_t done, std::uint64_t total) {
    auto now = std::chrono::steady_clock::now();
    if (done < total && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    std::cerr << fmt::format("\rbounces: {}/{} messages  ", done, total) << std::flush;
    drawn_ = true;
  }
  ~Progress() {
    if (drawn_) std::cerr << "\r" << std::string(40, ' ') << "\r" << std::flush;
  }

 private:
  std::chrono::steady_clock::time_point last_{};
  bool drawn_ = false;
};

void fetch_command(Context& ctx, bool expunge) {
  const Config& config = ctx.config();
  bounces::MailboxSettings settings;
  settings.password = imap_password(config);  // checks imap.url first
  settings.url = config.imap.url;
  settings.username = config.imap.username;
  settings.timeout_s = config.smtp.timeout_s;
  bounces::OpenMailbox open = nullptr;
  bounces_module().resolve(bounces::kOpenMailboxSymbol, open);
  std::unique_ptr<bounces::Mailbox> mailbox(open(settings));
  const bounces::Parser& parser = bounces_parser();
  bounces::FetchOptions options;
  options.expunge = expunge;
  options.soft_limit = config.bounces_soft_limit;
  std::unique_ptr<Progress> bar;
  bounces::FetchProgress progress;
  if (!ctx.options.quiet && !ctx.options.json && ::isatty(STDERR_FILENO)) {
    bar = std::make_unique<Progress>();
    progress = [b = bar.get()](std::uint64_t done, std::uint64_t total) { (*b)(done, total); };
  }
  const bounces::FetchSummary s =
      bounces::fetch_reports(*mailbox, parser, ctx.db(), ctx.now(), options, progress);
  bar.reset();
  if (ctx.options.json) {
    ctx.print_json({{"fetched", s.fetched},
                    {"matched", s.matched},
                    {"hard", s.hard},
                    {"soft", s.soft},
                    {"unknown", s.unknown},
                    {"not_bounce", s.not_bounce},
                    {"complaints", s.complaints},
                    {"already_recorded", s.already},
                    {"expunged", s.expunged}});
    return;
  }
  std::string line = fmt::format("fetched {}, matched {}, hard {}, soft {}, unknown {}, not a bounce {}",
                                 s.fetched, s.matched, s.hard, s.soft, s.unknown, s.not_bounce);
  if (s.complaints) line += fmt::format(", complaints {}", s.complaints);
  if (s.already) line += fmt::format(" ({} read before, not counted again)", s.already);
  if (expunge) line += fmt::format("; expunged {}", s.expunged);
  ctx.out += line + "\n";
}

nlohmann::json attempt_json(const std::optional<Id>& attempt) {
  return attempt ? nlohmann::json(*attempt) : nlohmann::json();
}

void list_command(Context& ctx, bool unmatched) {
  const Actor actor = ctx.actor();
  store::BounceReportQuery query;
  query.unmatched = unmatched;
  if (!sees_all_records(actor)) {
    // Unmatched reports belong to no one a plain user may see: they are the managers'.
    if (unmatched) throw Error(Errc::permission, "unmatched bounce reports are for managers and superusers");
    query.owner = actor.id;
  }
  const auto rows = ctx.db().bounce_reports().list(query);
  if (ctx.options.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const BounceReportRow& r : rows)
      out.push_back({{"id", r.report},
                     {"received", json_time(r.received)},
                     {"kind", r.kind},
                     {"recipient", r.recipient.recipient},
                     {"status", r.recipient.status},
                     {"reason", r.recipient.reason},
                     {"severity", r.recipient.severity},
                     {"attempt", attempt_json(r.recipient.attempt)},
                     {"matched_by", r.recipient.matched_by}});
    ctx.print_json(out);
    return;
  }
  Table table({"ID", "RECEIVED", "RECIPIENT", "REASON", "SEVERITY", "ATTEMPT"});
  for (const BounceReportRow& r : rows)
    table.add({std::to_string(r.report), table_time(r.received), r.recipient.recipient,
               r.recipient.reason.empty() ? r.kind : r.recipient.reason, r.recipient.severity,
               r.recipient.attempt ? std::to_string(*r.recipient.attempt) : "none"});
  ctx.out += table.render();
}

// The raw report for a terminal: CRLF as LF, TAB and LF kept, any other control byte as \xNN,
// so that a report cannot drive the terminal.
std::string escaped(const std::string& raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(raw[i]);
    if (c == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n') continue;
    if (c == '\n' || c == '\t' || (c >= 0x20 && c != 0x7f))
      out += static_cast<char>(c);
    else
      out += fmt::format("\\x{:02x}", c);
  }
  if (!out.empty() && out.back() != '\n') out += '\n';
  return out;
}

void show_command(Context& ctx, Id id) {
  const Actor actor = ctx.actor();
  const std::string what = fmt::format("bounce report {}", id);
  auto report = ctx.db().bounce_reports().report(id);
  if (!report) throw Error(Errc::not_found, what + " not found");
  if (!sees_all_records(actor)) {
    const auto owners = ctx.db().bounce_reports().owners(id);
    if (std::find(owners.begin(), owners.end(), actor.id) == owners.end())
      throw Error(Errc::not_found, what + " not found");
  }
  if (ctx.options.json) {
    nlohmann::json recipients = nlohmann::json::array();
    for (const BounceRecipient& r : report->recipients)
      recipients.push_back({{"recipient", r.recipient},
                            {"status", r.status},
                            {"reason", r.reason},
                            {"severity", r.severity},
                            {"diagnostic", r.diagnostic},
                            {"attempt", attempt_json(r.attempt)},
                            {"matched_by", r.matched_by}});
    ctx.print_json({{"id", report->id},
                    {"identity", report->identity},
                    {"message_id", report->message_id},
                    {"received", json_time(report->received)},
                    {"kind", report->kind},
                    {"recipients", recipients},
                    {"raw", report->raw}});
    return;
  }
  ctx.out += render_fields({{"id", std::to_string(report->id)},
                            {"received", table_time(report->received)},
                            {"kind", report->kind},
                            {"identity", report->identity},
                            {"message_id", report->message_id}});
  if (!report->recipients.empty()) {
    Table table({"RECIPIENT", "STATUS", "REASON", "SEVERITY", "ATTEMPT", "DIAGNOSTIC"});
    for (const BounceRecipient& r : report->recipients)
      table.add({r.recipient, r.status, r.reason, r.severity,
                 r.attempt ? fmt::format("{} ({})", *r.attempt, r.matched_by) : "none", r.diagnostic});
    ctx.out += "\n" + table.render();
  }
  ctx.out += "\n" + escaped(report->raw);
}

}  // namespace

void register_bounces_mailbox(CLI::App& bounces, Context& ctx) {
  auto* fetch = bounces.add_subcommand(
      "fetch",
      "Read the reports in the IMAP mailbox of [imap], record them, flag them processed (no session)");
  auto expunge = std::make_shared<bool>(false);
  fetch->add_flag("--expunge", *expunge, "Delete each message from the mailbox once it is recorded");
  fetch->callback([&ctx, expunge] { fetch_command(ctx, *expunge); });

  auto* list =
      bounces.add_subcommand("list", "The reports read: recipient, reason, hard or soft, the attempt");
  auto unmatched = std::make_shared<bool>(false);
  list->add_flag("--unmatched", *unmatched, "Only the failed recipients matched to no attempt (manager)");
  list->callback([&ctx, unmatched] { list_command(ctx, *unmatched); });

  auto* show = bounces.add_subcommand("show", "One report: what the parser made of it, and its raw text");
  auto id = std::make_shared<Id>(0);
  show->add_option("ID", *id, "The report's id (bounces list)")->required();
  show->callback([&ctx, id] { show_command(ctx, *id); });
}

}  // namespace mailer::cli
