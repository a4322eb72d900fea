// mailer init: create or migrate the database and print its path.
#include <fmt/format.h>

#include "context.hpp"

namespace mailer::cli {

void register_init(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("init", "Create or migrate the database and print its path");
  cmd->callback([&ctx] {
    auto& db = ctx.db();
    if (ctx.options.json)
      ctx.print_json({{"path", db.path()}, {"schema_version", db.schema_version()}});
    else
      ctx.out += db.path() + "\n";
  });
}

}  // namespace mailer::cli
