// mailer report bounces: why the covered mailings bounced, one row per reason and hard or soft,
// from the bounce events (mailed reports read by `bounces fetch`, and the server's 5xx to RCPT
// during the send); complaints (ARF) as rows of their own. Also the short block of reasons
// beneath `report --mailing ID` and the key `bounce_reasons` of `report --json`.
#include <map>
#include <memory>

#include "report_commands.hpp"

namespace mailer::cli {
namespace {

struct BounceOptions {
  std::optional<Id> mailing;
  std::optional<std::string> since, until;
  bool all = false;
  ReportFormat format;
};

// A complaint is neither hard nor soft: null in JSON, a dash in a table, empty in CSV.
nlohmann::json severity_json(const BounceEventReason& r) {
  return r.severity.empty() ? nlohmann::json() : nlohmann::json(r.severity);
}

std::string severity_cell(const BounceEventReason& r) { return r.severity.empty() ? "—" : r.severity; }

}  // namespace

std::string bounce_reasons_block(const std::vector<BounceEventReason>& rows) {
  if (rows.empty()) return "";
  Table t({"REASON", "SEVERITY", "BOUNCES"});
  for (const auto& r : rows) t.add({r.reason, severity_cell(r), std::to_string(r.bounces)});
  std::string out = "\nBounces by reason:\n";
  const std::string table = t.render();
  // Indented beneath the totals; the header line of the table is kept, as a key.
  std::size_t start = 0;
  while (start < table.size()) {
    const std::size_t end = table.find('\n', start);
    const std::size_t stop = end == std::string::npos ? table.size() : end + 1;
    out += "  " + table.substr(start, stop - start);
    start = stop;
  }
  return out;
}

void add_bounce_reasons(nlohmann::json& mailings, const std::vector<BounceEventReason>& rows) {
  std::map<Id, nlohmann::json> by_mailing;
  for (const auto& r : rows) {
    auto& list = by_mailing.try_emplace(r.mailing, nlohmann::json::array()).first->second;
    list.push_back({{"reason", r.reason}, {"severity", severity_json(r)}, {"bounces", r.bounces}});
  }
  for (auto& m : mailings) {
    auto it = by_mailing.find(m.at("mailing").get<Id>());
    m["bounce_reasons"] = it == by_mailing.end() ? nlohmann::json::array() : it->second;
  }
}

void register_report_bounces(CLI::App& report, Context& ctx) {
  auto o = std::make_shared<BounceOptions>();
  auto* cmd = report.add_subcommand(
      "bounces", "Bounces by reason and hard or soft, with complaints: from reports and 5xx replies");
  cmd->add_option("--mailing", o->mailing, "Only this mailing's bounces");
  cmd->add_option("--since", o->since, "Only runs started at or after WHEN (a time as for --start)");
  cmd->add_option("--until", o->until, "Only runs started at or before WHEN");
  cmd->add_flag("--all", o->all, "Everyone's mailings (manager)");
  add_report_format(*cmd, o->format);
  cmd->callback([&ctx, o] {
    auto rows =
        bounce_events(ctx.db(), ctx.actor(), report_filter(ctx, o->mailing, o->all, o->since, o->until));
    if (ctx.options.json) {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& r : rows)
        arr.push_back({{"reason", r.reason},
                       {"severity", severity_json(r)},
                       {"bounces", r.bounces},
                       {"recipients", r.recipients},
                       {"example", r.example}});
      ctx.print_json(arr);
      return;
    }
    if (o->format.csv()) {
      std::vector<std::vector<std::string>> cells;
      for (const auto& r : rows)
        cells.push_back(
            {r.reason, r.severity, std::to_string(r.bounces), std::to_string(r.recipients), r.example});
      ctx.out += render_csv({"reason", "severity", "bounces", "recipients", "example"}, cells,
                            {true, true, false, false, true}, o->format.separator());
      return;
    }
    Table t({"REASON", "SEVERITY", "BOUNCES", "RECIPIENTS", "EXAMPLE"});
    const bool terminal = stdout_is_terminal();
    for (const auto& r : rows)
      t.add({r.reason, severity_cell(r), std::to_string(r.bounces), std::to_string(r.recipients),
             reply_cell(r.example, terminal)});
    ctx.out += t.render();
  });
}

}  // namespace mailer::cli
