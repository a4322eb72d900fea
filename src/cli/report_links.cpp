// mailer report links: each tracked URL of a mailing with its clicks and clickers.
#include <limits>
#include <memory>

#include "report_commands.hpp"

namespace mailer::cli {
namespace {

struct LinkOptions {
  Id mailing = 0;
  ReportFormat format;
};

}  // namespace

void register_report_links(CLI::App& report, Context& ctx) {
  auto o = std::make_shared<LinkOptions>();
  auto* cmd = report.add_subcommand("links", "Clicks per tracked URL of a mailing, most clicked first");
  cmd->add_option("--mailing", o->mailing, "The mailing")->required();
  add_report_format(*cmd, o->format);
  cmd->callback([&ctx, o] {
    ReportFilter filter;
    filter.mailing = o->mailing;
    auto rows = link_report(ctx.db(), ctx.actor(), filter);
    if (ctx.options.json) {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& r : rows)
        arr.push_back({{"url", r.url}, {"clicks", r.clicks}, {"unique_clickers", r.unique_clickers}});
      ctx.print_json(arr);
      return;
    }
    if (o->format.csv()) {
      std::vector<std::vector<std::string>> cells;
      for (const auto& r : rows)
        cells.push_back({r.url, std::to_string(r.clicks), std::to_string(r.unique_clickers)});
      ctx.out += render_csv({"url", "clicks", "unique_clickers"}, cells, {true}, o->format.separator());
      return;
    }
    Table t({"CLICKS", "UNIQUE", "URL"});
    const std::size_t width = stdout_is_terminal() ? 90 : std::numeric_limits<std::size_t>::max();
    for (const auto& r : rows)
      t.add({std::to_string(r.clicks), std::to_string(r.unique_clickers), ellipsize(r.url, width)});
    ctx.out += t.render();
  });
}

}  // namespace mailer::cli
