// mailer stats: the home page figures (SPEC §2): mailings, active ones, recipients, posts.
#include <memory>

#include "report_commands.hpp"

namespace mailer::cli {

void register_stats(CLI::App& app, Context& ctx) {
  auto all = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("stats", "Mailings, active mailings, unique recipients, published posts");
  cmd->add_flag("--all", *all, "Everyone's figures (manager)");
  cmd->callback([&ctx, all] {
    const Stats s = stats(ctx.db(), ctx.actor(), *all);
    if (ctx.options.json) {
      ctx.print_json({{"mailings", s.mailings},
                      {"active_mailings", s.active_mailings},
                      {"unique_recipients", s.unique_recipients},
                      {"posts", s.posts}});
      return;
    }
    ctx.out += render_fields({{"Mailings", std::to_string(s.mailings)},
                              {"Active mailings", std::to_string(s.active_mailings)},
                              {"Unique recipients", std::to_string(s.unique_recipients)},
                              {"Posts", std::to_string(s.posts)}});
  });
}

}  // namespace mailer::cli
