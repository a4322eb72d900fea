// The only place that reads argv and turns errors into exit codes (SPEC §6).
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <iterator>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "context.hpp"
#include "field_flags.hpp"
#include "line_stamps.hpp"
#include "mailer/base/error.hpp"
#include "next_steps.hpp"
#include "report_commands.hpp"
#include "usage.hpp"

namespace {

// SPEC §6: "the output could not be written".
constexpr int kExitIo = static_cast<int>(mailer::Errc::io_error);

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

// Read before parsing, so that even a usage error's line in a log carries its time.
bool wants_log_timestamps(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") return false;
    if (arg == "--log-timestamps") return true;
  }
  return false;
}

// Writes the collected output and closes standard output; the error text when that failed.
// A full disk shows at the flush, a few file systems only at the close. A closed pipe kills
// the process quietly with SIGPIPE, as it does cat or git, unless SIGPIPE is ignored: then
// it is EPIPE here.
std::optional<std::string> write_stdout(const std::string& out) {
  errno = 0;
  if (!out.empty()) std::cout << out;
  std::cout.flush();
  int err = std::cout ? 0 : (errno != 0 ? errno : EIO);
  if (err == 0 && std::fflush(stdout) != 0) err = errno;
  // Nothing written to a closed descriptor is no error: `mailer -q ... >&-` is fine.
  if (::close(STDOUT_FILENO) != 0 && err == 0 && !(errno == EBADF && out.empty())) err = errno;
  if (err == 0) return std::nullopt;
  return fmt::format("cannot write to standard output: {}", std::strerror(err));
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mailer;
  std::optional<cli::LineStamps> stamp_out, stamp_err;
  if (wants_log_timestamps(argc, argv)) {
    stamp_out.emplace(std::cout);
    stamp_err.emplace(std::cerr);
  }
  cli::Context ctx;
  CLI::App app{"mailer: email campaigns from the command line, stored in one SQLite database", "mailer"};
  app.set_version_flag("--version", std::string("mailer ") + MAILER_VERSION);
  app.add_option("--config", ctx.options.config,
                 "Config file (default: $MAILER_CONFIG or $XDG_CONFIG_HOME/mailer/mailer.toml)");
  app.add_option("--db", ctx.options.db, "Database file (overrides $MAILER_DB and the config)");
  app.add_flag("--json", ctx.options.json, "Machine-readable output on stdout");
  app.add_flag("-q,--quiet", ctx.options.quiet, "Print only data and errors");
  app.add_flag("-v,--verbose", ctx.options.verbose, "Print more about what is done");
  bool stamped = stamp_out.has_value();  // read from argv above; parsed here to be accepted
  app.add_flag("--log-timestamps", stamped,
               "Begin every line of output with the time (the cron line uses it for its log)");
  app.require_subcommand(1);
  app.fallthrough();  // global options are accepted after the subcommand too

  // Only the named command's options are built when the command is known: building all of
  // them is a third of an idle `send --due` tick's time. Help, typos and bare `mailer` get all.
  using Register = void (*)(CLI::App&, cli::Context&);
  // The command table: each top-level word and the function that adds its command.
  static constexpr std::pair<std::string_view, Register> kWords[] = {
      {"init", cli::register_init},       {"user", cli::register_user},
      {"login", cli::register_user},      {"logout", cli::register_user},
      {"whoami", cli::register_user},     {"client", cli::register_client},
      {"group", cli::register_group},     {"message", cli::register_message},
      {"mailing", cli::register_mailing}, {"send", cli::register_send},
      {"report", cli::register_report},   {"cron", cli::register_cron},
      {"stats", cli::register_stats},     {"serve", cli::register_serve},
      {"blog", cli::register_blog},       {"bounces", cli::register_bounces},
      {"db", cli::register_db},
  };
  std::string_view named = command_word(argc, argv);
  auto known = std::find_if(std::begin(kWords), std::end(kWords),
                            [&](const auto& word) { return word.first == named; });
  if (known != std::end(kWords)) {
    known->second(app, ctx);
  } else {
    // Every command once, in the table's order (a command with several words comes up again).
    std::vector<Register> added;
    for (const auto& word : kWords) {
      if (std::find(added.begin(), added.end(), word.second) != added.end()) continue;
      added.push_back(word.second);
      word.second(app, ctx);
    }
  }

  int code = 0;
  std::optional<cli::Usage> failure;  // printed after the output that came before it
  try {
    app.parse(argc, argv);
    code = ctx.exit_code;
  } catch (const CLI::CallForHelp& e) {
    code = app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    code = app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    code = app.exit(e);
  } catch (const CLI::ParseError& e) {
    cli::Usage usage = cli::explain_usage(app, e, argc, argv);
    // Bare `mailer` prints the help as git does: on stdout, and a failure status (git's 1
    // is 64 here, SPEC §6's "usage").
    if (usage.show_help)
      ctx.out = app.help();
    else
      failure = std::move(usage);
    code = static_cast<int>(Errc::usage);
  } catch (const Error& e) {
    // Core names fields; the user typed flags (field_flags.cpp).
    const std::string command = cli::parsed_path(app);
    cli::FlagWords said = cli::say_as_flags(command, e.what(), cli::hint_of(e));
    // Errc::bad_request from below is the usage error of SPEC §6 (64), so it gets the help too.
    if (e.code() == Errc::usage && said.hint.empty()) said.hint = cli::help_hint(command);
    failure = cli::Usage{std::move(said.what), std::move(said.hint)};
    code = e.exit_code();
  } catch (const std::bad_alloc&) {
    failure = cli::Usage{"out of memory", ""};
    code = static_cast<int>(Errc::internal);
  } catch (const std::exception& e) {
    failure = cli::Usage{e.what(), "this is a bug; please report it"};
    code = static_cast<int>(Errc::internal);
  }
  std::optional<std::string> write_error = write_stdout(ctx.out);
  if (failure) print_error(failure->what, failure->hint);
  if (write_error) {
    print_error(*write_error, "is the disk full, or the reader of the pipe gone?");
    if (code == 0) code = kExitIo;
  }
  return code;
}
