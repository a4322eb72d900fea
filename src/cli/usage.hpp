#pragma once
// Usage errors in mailer's words (SPEC §2, §6): an unknown command or option, a missing or
// malformed argument, each one line `mailer: <what> (<hint>)` that names the argument and
// the help of the deepest command recognised, never CLI11's own wording.
#include <CLI/CLI.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace mailer::cli {

struct Usage {
  std::string what;
  std::string hint;
  bool show_help = false;  // no command at all (bare `mailer`): print the help instead
};

// Explains `error`, which app.parse(argc, argv) threw. Walks argv over app's command tree
// itself, as CLI11 reports some mistakes (a typo'd command) as others ("A subcommand is
// required"). Only called on failure: the tree may hold just the named command's branch.
Usage explain_usage(const CLI::App& app, const CLI::ParseError& error, int argc, char** argv);

// "mailer client list": the command path CLI11 parsed (after a successful parse).
std::string parsed_path(const CLI::App& app);

// "see `mailer client --help`".
std::string help_hint(const std::string& path);

// The candidates closest to `word` (a typo: one or two letters wrong, missing, extra or
// swapped, or a prefix of two letters or more); none when nothing is close.
std::vector<std::string> closest(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace mailer::cli
