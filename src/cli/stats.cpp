// mailer stats: the home page figures (SPEC §2): mailings, active ones, recipients, posts.
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "mailer/core/posts.hpp"
#include "report_commands.hpp"

namespace mailer::cli {

void register_stats(CLI::App& app, Context& ctx) {
  auto all = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("stats", "Mailings, active mailings, unique recipients, published posts");
  cmd->add_flag("--all", *all, "Everyone's figures (manager)");
  cmd->callback([&ctx, all] {
    const Stats s = stats(ctx.db(), ctx.actor(), *all);
    if (ctx.options.json) {
      // SPEC §2: exactly these keys; the random posts are for the human page below.
      ctx.print_json({{"mailings", s.mailings},
                      {"active_mailings", s.active_mailings},
                      {"unique_recipients", s.unique_recipients},
                      {"posts", s.posts}});
      return;
    }
    // As the home page of the services this replaces did: a few posts to read.
    const std::vector<Post> picked = random_posts(ctx.db(), 3);
    ctx.out += render_fields({{"Mailings", std::to_string(s.mailings)},
                              {"Active mailings", std::to_string(s.active_mailings)},
                              {"Unique recipients", std::to_string(s.unique_recipients)},
                              {"Posts", std::to_string(s.posts)}});
    if (picked.empty()) return;
    ctx.out += "\nFrom the blog:\n";
    for (const Post& p : picked)
      ctx.out +=
          fmt::format("  {}  {} ({}, mailer blog show {})\n", format_local(p.created_at).substr(0, 10),
                      ellipsize(p.title, 60), p.author_name.empty() ? p.author_email : p.author_name, p.id);
  });
}

}  // namespace mailer::cli
