// The only place that reads argv and turns errors into exit codes (SPEC §6).
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <string_view>
#include <utility>
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

// The first word of the command line that is not a global option or its value: the command.
std::string_view command_word(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--config" || arg == "--db") {
      ++i;
      continue;
    }
    if (arg.starts_with("-")) continue;
    return arg;
  }
  return {};
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

  // Only the named command's options are built when the command is known: building all of
  // them is a third of an idle `send --due` tick's time. Help, typos and bare `mailer` get all.
  using Register = void (*)(CLI::App&, cli::Context&);
  static constexpr Register kAll[] = {cli::register_init,    cli::register_user,    cli::register_client,
                                      cli::register_group,   cli::register_message, cli::register_mailing,
                                      cli::register_send,    cli::register_report,  cli::register_cron};
  // The top-level words each of them adds.
  static constexpr std::pair<std::string_view, Register> kWords[] = {
      {"init", cli::register_init},       {"user", cli::register_user},       {"login", cli::register_user},
      {"logout", cli::register_user},     {"whoami", cli::register_user},     {"client", cli::register_client},
      {"group", cli::register_group},     {"message", cli::register_message}, {"mailing", cli::register_mailing},
      {"send", cli::register_send},       {"report", cli::register_report},   {"cron", cli::register_cron},
  };
  std::string_view named = command_word(argc, argv);
  auto known = std::find_if(std::begin(kWords), std::end(kWords), [&](const auto& word) { return word.first == named; });
  if (known != std::end(kWords)) {
    known->second(app, ctx);
  } else {
    for (Register add : kAll) add(app, ctx);
  }

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
