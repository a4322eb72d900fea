#pragma once
// Core errors name the fields of a request ("subject: empty", "before `start`"); the CLI says
// them as the flags of the command being run ("--subject: empty", "before --start").
#include <string>
#include <string_view>

namespace mailer::cli {

// An error's text in the command's words.
struct FlagWords {
  std::string what;
  std::string hint;
};

// Rewrites, for `command` (as parsed_path() gives it, "mailer client import"), a leading
// "field:" of `what` and every "`field`" in `what` and `hint` into that field's flag.
FlagWords say_as_flags(std::string_view command, std::string_view what, std::string_view hint);

}  // namespace mailer::cli
