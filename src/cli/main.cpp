// The only place that reads argv and turns errors into exit codes (SPEC §6).
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "context.hpp"
#include "mailer/error.hpp"

namespace {

void print_error(const std::string& what, const std::string& hint) {
  if (hint.empty())
    std::cerr << "mailer: " << what << "\n";
  else
    std::cerr << "mailer: " << what << " (" << hint << ")\n";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mailer;
  cli::Context ctx;
  CLI::App app{"mailer: email campaigns from the command line, stored in one SQLite database", "mailer"};
  app.set_version_flag("--version", std::string("mailer ") + MAILER_VERSION);
  app.add_option("--config", ctx.options.config, "Config file (default: $MAILER_CONFIG or $XDG_CONFIG_HOME/mailer/mailer.toml)");
  app.add_option("--db", ctx.options.db, "Database file (overrides $MAILER_DB and the config)");
  app.add_flag("--json", ctx.options.json, "Machine-readable output on stdout");
  app.add_flag("-q,--quiet", ctx.options.quiet, "Print only data and errors");
  app.add_flag("-v,--verbose", ctx.options.verbose, "Print more about what is done");
  app.require_subcommand(1);
  app.fallthrough();  // global options are accepted after the subcommand too

  cli::register_init(app, ctx);
  cli::register_user(app, ctx);
  cli::register_client(app, ctx);
  cli::register_group(app, ctx);
  cli::register_message(app, ctx);
  cli::register_mailing(app, ctx);
  cli::register_send(app, ctx);
  cli::register_report(app, ctx);
  cli::register_cron(app, ctx);

  int code = 0;
  try {
    app.parse(argc, argv);
    code = ctx.exit_code;
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    print_error(what, "see `mailer --help`");
    return static_cast<int>(Errc::usage);
  } catch (const Error& e) {
    std::cout << ctx.out << std::flush;
    print_error(e.what(), e.hint());
    return e.exit_code();
  } catch (const std::bad_alloc&) {
    print_error("out of memory", "");
    return static_cast<int>(Errc::internal);
  } catch (const std::exception& e) {
    print_error(e.what(), "this is a bug; please report it");
    return static_cast<int>(Errc::internal);
  }
  std::cout << ctx.out << std::flush;
  return code;
}
