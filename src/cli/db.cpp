// mailer db copy --to URL: move an SQLite database into an empty PostgreSQL one (issue 13).
#include <fmt/format.h>

#include <memory>
#include <string>

#include "context.hpp"
#include "mailer/base/error.hpp"
#include "mailer/store/database_copy.hpp"
#include "mailer/store/open_database.hpp"

namespace mailer::cli {
namespace {

void copy_command(Context& ctx, const std::string& to_url) {
  if (!store::is_postgres_url(to_url))
    throw Error(
        Errc::usage, fmt::format("--to {}: not a postgresql:// URL", store::printable_database_name(to_url)),
        "write postgresql://USER@HOST:PORT/DATABASE; the password comes from PGPASSWORD or ~/.pgpass");
  if (store::is_postgres_url(ctx.config().db_path))
    throw Error(Errc::config, "db copy copies an SQLite database, and `db` names a PostgreSQL one",
                "run it with the SQLite file as `db` (--db FILE)");
  auto& from = ctx.db();
  auto to = store::open_database(to_url, ctx.config().db_password);
  const auto copied = store::copy_database(from, *to);
  std::int64_t total = 0;
  for (const auto& t : copied) total += t.rows;
  if (ctx.options.json) {
    nlohmann::json tables = nlohmann::json::object();
    for (const auto& t : copied) tables[t.name] = t.rows;
    ctx.print_json({{"from", from.name()}, {"to", to->name()}, {"rows", total}, {"tables", tables}});
    return;
  }
  for (const auto& t : copied) ctx.out += fmt::format("{:<18} {:>10}\n", t.name, t.rows);
  ctx.out += fmt::format("copied {} rows of {} tables into {}\n", total, copied.size(), to->name());
}

}  // namespace

void register_db(CLI::App& app, Context& ctx) {
  auto* db = app.add_subcommand("db", "Move the database: copy it into PostgreSQL");
  db->require_subcommand(1);
  auto* copy = db->add_subcommand(
      "copy", "Copy every row of this SQLite database into an empty PostgreSQL database (counts checked)");
  auto to = std::make_shared<std::string>();
  copy->add_option("--to", *to, "The PostgreSQL database: postgresql://USER@HOST:PORT/DATABASE")->required();
  copy->callback([&ctx, to] { copy_command(ctx, *to); });
}

}  // namespace mailer::cli
