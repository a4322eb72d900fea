// mailer init: create or migrate the database and print its path.
#include <fmt/format.h>

#include "context.hpp"
#include "mailer/core/tracking.hpp"

namespace mailer::cli {

void register_init(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("init", "Create or migrate the database and print its path");
  cmd->callback([&ctx] {
    auto& db = ctx.db();
    // The tracking secret is made here rather than at the first send, so that it exists
    // before `serve` (which may start first) or any send needs it.
    tracking_key(db);
    if (ctx.options.json)
      ctx.print_json({{"path", db.name()}, {"schema_version", db.schema_version()}});
    else
      ctx.out += db.name() + "\n";
  });
}

}  // namespace mailer::cli
