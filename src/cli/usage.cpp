#include "usage.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <optional>

namespace mailer::cli {
namespace {

std::vector<const CLI::App*> commands_of(const CLI::App* app) {
  // Nameless children are CLI11 option groups, not commands.
  return app->get_subcommands([](const CLI::App* sub) { return !sub->get_name().empty(); });
}

std::vector<std::string> names_of(const std::vector<const CLI::App*>& commands) {
  std::vector<std::string> names;
  for (const auto* c : commands) names.push_back(c->get_name());
  return names;
}

// Options are found on the command and every command above it (global options fall through).
const CLI::Option* find_option(const CLI::App* app, const std::string& name) {
  for (; app != nullptr; app = app->get_parent())
    if (const CLI::Option* o = app->get_option_no_throw(name)) return o;
  return nullptr;
}

std::vector<std::string> long_options(const CLI::App* app) {
  std::vector<std::string> names;
  for (; app != nullptr; app = app->get_parent())
    for (const CLI::Option* o : app->get_options())
      for (const auto& l : o->get_lnames()) names.push_back("--" + l);
  return names;
}

// "-qv" is -q and -v together.
bool known_option(const CLI::App* app, const std::string& name) {
  if (find_option(app, name) != nullptr) return true;
  if (name.size() < 3 || name[1] == '-') return false;
  return std::all_of(name.begin() + 1, name.end(), [&](char c) {
    return find_option(app, std::string{'-', c});
  });
}

bool has_positionals(const CLI::App* app) {
  return !app->get_options([](const CLI::Option* o) { return o->get_positional(); }).empty();
}

// What argv names, read the way CLI11 reads it.
struct Walk {
  const CLI::App* deepest;
  std::string path = "mailer";    // of `deepest`
  bool any_word = false;          // a command word at all (bare `mailer` has none)
  std::string unknown_command{};  // a word where `deepest` expects one of its commands
  std::string unknown_option{};   // the first option no command on the path knows
};

Walk walk(const CLI::App& app, int argc, char** argv) {
  Walk w{&app};
  bool leaf = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") break;
    if (arg.size() > 1 && arg[0] == '-') {
      const std::string name = arg.substr(0, arg.find('='));
      const CLI::Option* o = find_option(w.deepest, name);
      if (!known_option(w.deepest, name) && w.unknown_option.empty()) w.unknown_option = name;
      if (o != nullptr && o->get_items_expected_min() > 0 && name.size() == arg.size()) ++i;  // its value
      continue;
    }
    if (leaf) continue;  // the command's own arguments
    w.any_word = true;
    const auto commands = commands_of(w.deepest);
    auto it =
        std::find_if(commands.begin(), commands.end(), [&](const CLI::App* c) { return c->check_name(arg); });
    if (it != commands.end()) {
      w.deepest = *it;
      w.path += " " + (*it)->get_name();
      leaf = commands_of(w.deepest).empty();
      continue;
    }
    if (!commands.empty() && !has_positionals(w.deepest)) {
      w.unknown_command = arg;
      break;
    }
    leaf = true;
  }
  return w;
}

// 'a', 'a' or 'b', 'a', 'b' or 'c'.
std::string quoted_choices(const std::vector<std::string>& words, const std::string& prefix) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += i + 1 == words.size() ? " or " : ", ";
    out += "'" + prefix + words[i] + "'";
  }
  return out;
}

// Damerau-Levenshtein distance (optimal string alignment): a swap of neighbours counts one.
std::size_t distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

bool is_subsequence(std::string_view part, std::string_view whole) {
  std::size_t i = 0;
  for (char c : whole)
    if (i < part.size() && part[i] == c) ++i;
  return i == part.size();
}

std::string lower_ascii(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// By type, not get_name(): an ExtrasError is named after the command that threw it.
template <class Kind>
bool is(const CLI::ParseError& error) {
  return dynamic_cast<const Kind*>(&error) != nullptr;
}

// Text after `prefix` when `text` starts with it.
std::optional<std::string> after(const std::string& text, std::string_view prefix) {
  if (text.rfind(prefix, 0) != 0) return std::nullopt;
  return text.substr(prefix.size());
}

Usage unknown_option(const Walk& w, const std::string& option) {
  const auto near = closest(option.substr(option.find_first_not_of('-')), [&] {
    std::vector<std::string> bare;
    for (const auto& l : long_options(w.deepest)) bare.push_back(l.substr(2));
    return bare;
  }());
  std::string what = fmt::format("unknown option '{}' for '{}'", option, w.path);
  if (near.empty()) return {what, help_hint(w.path)};
  return {what, fmt::format("did you mean {}? see `{} --help`", quoted_choices(near, "--"), w.path)};
}

// CLI11's messages (CLI/Error.hpp of libcli11-dev 2.1) put in our words; the argument's name
// is kept as the user typed it.
Usage reword(const Walk& w, const CLI::ParseError& error) {
  const std::string msg = error.what();
  const std::string hint = help_hint(w.path);
  if (is<CLI::ConversionError>(error)) {
    if (auto rest = after(msg, "Could not convert: ")) {
      const auto eq = rest->find(" = ");
      const std::string name = rest->substr(0, eq);
      const std::string value = eq == std::string::npos ? std::string() : rest->substr(eq + 3);
      const CLI::Option* o = find_option(w.deepest, name);
      const std::string type = o != nullptr ? o->get_type_name() : std::string();
      if (type.find("INT") != std::string::npos || type.find("FLOAT") != std::string::npos)
        return {fmt::format("{} must be a number, not '{}'", name, value), hint};
      return {fmt::format("{}: invalid value '{}'", name, value), hint};
    }
    if (auto pos = msg.find(": too many inputs for a flag"); pos != std::string::npos)
      return {fmt::format("{} is a flag and takes no value", msg.substr(0, pos)), hint};
  }
  if (is<CLI::ValidationError>(error)) {
    // IsMember: "--status: x not in {sent,bounced,deferred,failed}"
    const auto colon = msg.find(": ");
    const auto not_in = msg.find(" not in {");
    if (colon != std::string::npos && not_in != std::string::npos && not_in > colon && msg.back() == '}') {
      std::string choices = msg.substr(not_in + 9, msg.size() - not_in - 10);
      std::replace(choices.begin(), choices.end(), ',', ' ');
      std::vector<std::string> list;
      for (std::size_t p = 0; p < choices.size();) {
        const auto q = std::min(choices.find(' ', p), choices.size());
        if (q > p) list.push_back(choices.substr(p, q - p));
        p = q + 1;
      }
      return {fmt::format("{}: '{}' is not one of {}", msg.substr(0, colon),
                          msg.substr(colon + 2, not_in - colon - 2), quoted_choices(list, "")),
              hint};
    }
  }
  if (is<CLI::ArgumentMismatch>(error)) {
    // "--start: 1 required TEXT missing"
    if (auto pos = msg.find(": "); pos != std::string::npos && msg.ends_with(" missing"))
      return {fmt::format("{} needs a value", msg.substr(0, pos)), hint};
  }
  if (is<CLI::ExcludesError>(error)) {
    if (auto pos = msg.find(" excludes "); pos != std::string::npos)
      return {fmt::format("{} cannot be used with {}", msg.substr(0, pos), msg.substr(pos + 10)), hint};
  }
  if (is<CLI::ExtrasError>(error)) {
    // "The following argument(s) was/were not expected: c b a": CLI11 lists them last first.
    const auto pos = msg.find(": ");
    const std::string extras = pos == std::string::npos ? std::string() : msg.substr(pos + 2);
    const std::string first = extras.substr(extras.rfind(' ') + 1);
    if (first.size() > 1 && first[0] == '-') return unknown_option(w, first.substr(0, first.find('=')));
    if (!first.empty()) return {fmt::format("unexpected argument '{}' for '{}'", first, w.path), hint};
  }
  if (is<CLI::RequiredError>(error) && msg.find("subcommand") != std::string::npos) {
    return {
        fmt::format("'{}' needs a command: {}", w.path, fmt::join(names_of(commands_of(w.deepest)), ", ")),
        hint};
  }
  // "ID is required", "--code requires --password-stdin" and the rest say what they mean.
  return {msg, hint};
}

}  // namespace

Usage explain_usage(const CLI::App& app, const CLI::ParseError& error, int argc, char** argv) {
  const Walk w = walk(app, argc, argv);
  if (!w.unknown_command.empty()) {
    // "client lsit": the words as typed after `mailer`, so the suggestion reads as a command.
    const std::string prefix = w.path == "mailer" ? std::string() : w.path.substr(7) + " ";
    const std::string what = fmt::format("unknown command '{}{}'", prefix, w.unknown_command);
    const auto near = closest(w.unknown_command, names_of(commands_of(w.deepest)));
    if (near.empty()) return {what, help_hint(w.path)};
    return {what, fmt::format("did you mean {}?", quoted_choices(near, prefix))};
  }
  if (!w.unknown_option.empty()) return unknown_option(w, w.unknown_option);
  if (!w.any_word && w.deepest == &app && is<CLI::RequiredError>(error)) return {"", "", true};
  return reword(w, error);
}

std::string parsed_path(const CLI::App& app) {
  std::string path = "mailer";
  const CLI::App* cur = &app;
  while (!cur->get_subcommands().empty()) {
    cur = cur->get_subcommands().front();
    path += " " + cur->get_name();
  }
  return path;
}

std::string help_hint(const std::string& path) { return fmt::format("see `{} --help`", path); }

std::vector<std::string> closest(std::string_view word, const std::vector<std::string>& candidates) {
  const std::string typed = lower_ascii(word);
  // One slip in a short word, two from six letters on: "frob" is not "cron", "ls" not "rm".
  const std::size_t limit = std::max<std::size_t>(1, typed.size() / 3);
  std::size_t best = std::numeric_limits<std::size_t>::max();
  std::vector<std::string> out;
  for (const auto& c : candidates) {
    std::size_t d = distance(typed, c);
    // A prefix ("mail") or the letters in order from the first ("ls" for list) is one slip.
    if (typed.size() >= 2 && c.rfind(typed, 0) == 0) d = std::min<std::size_t>(d, 1);
    if (typed.size() >= 2 && typed[0] == c[0] && is_subsequence(typed, c)) d = std::min<std::size_t>(d, 1);
    if (d > limit || d >= typed.size() || d > best) continue;
    if (d < best) out.clear();
    best = d;
    if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  }
  return out;
}

}  // namespace mailer::cli
