// The one table from the fields core names to the flags the user typed.
#include "field_flags.hpp"

namespace mailer::cli {
namespace {

// Where a field's name is rewritten: everywhere (a leading "field:" is the field the error is
// about), or only where the text quotes it.
enum class Scope { everywhere, quoted };

struct FieldFlag {
  std::string_view command;  // a command path or its prefix: "mailer" is every command
  std::string_view field;    // as core names it
  std::string_view flag;     // as the user typed it
  Scope scope = Scope::everywhere;
};

constexpr FieldFlag kFieldFlags[] = {
    {"mailer", "config", "--config"},
    {"mailer", "db", "--db"},
    {"mailer", "all", "--all"},
    {"mailer user register", "name", "--name"},
    {"mailer client add", "name", "--name"},
    {"mailer client add", "comment", "--comment"},
    {"mailer client edit", "name", "--name"},
    {"mailer client edit", "comment", "--comment"},
    {"mailer client edit", "email", "--email"},
    {"mailer client import", "columns", "--columns"},
    {"mailer client import", "skip_invalid", "--skip-invalid"},
    {"mailer client import", "encoding", "--encoding"},
    {"mailer group", "owner", "--owner"},
    {"mailer message add", "subject", "--subject"},
    {"mailer message add", "body", "--body"},
    {"mailer message add", "html", "--html-file"},
    {"mailer message edit", "subject", "--subject"},
    {"mailer message edit", "body", "--body"},
    {"mailer message edit", "html", "--html-file"},
    {"mailer mailing add", "name", "--name"},
    {"mailer mailing add", "end", "--end"},
    {"mailer mailing add", "start", "--start", Scope::quoted},
    {"mailer mailing add", "client", "--client", Scope::quoted},
    {"mailer mailing add", "group", "--group", Scope::quoted},
    {"mailer mailing edit", "name", "--name"},
    {"mailer mailing edit", "end", "--end"},
    {"mailer mailing edit", "start", "--start", Scope::quoted},
    {"mailer mailing edit", "client", "--client", Scope::quoted},
    {"mailer mailing edit", "group", "--group", Scope::quoted},
    {"mailer report attempts", "status", "--status"},
    {"mailer report", "since", "--since"},
    {"mailer report", "until", "--until", Scope::quoted},
    {"mailer report recipients", "status", "--status"},
};

bool applies(std::string_view prefix, std::string_view command) {
  return command.starts_with(prefix) && (command.size() == prefix.size() || command[prefix.size()] == ' ');
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

}  // namespace

FlagWords say_as_flags(std::string_view command, std::string_view what, std::string_view hint) {
  FlagWords out{std::string(what), std::string(hint)};
  bool leading_done = false;
  for (const FieldFlag& f : kFieldFlags) {
    if (!applies(f.command, command)) continue;
    if (!leading_done && f.scope != Scope::quoted && out.what.size() > f.field.size() &&
        out.what.starts_with(f.field) && out.what[f.field.size()] == ':') {
      out.what.replace(0, f.field.size(), f.flag);
      leading_done = true;
    }
    // Appended in place: g++ 12 at -O3 reports a false -Wrestrict on "`" + std::string.
    std::string quoted(1, '`');
    quoted.append(f.field).push_back('`');
    replace_all(out.what, quoted, f.flag);
    replace_all(out.hint, quoted, f.flag);
  }
  return out;
}

}  // namespace mailer::cli
