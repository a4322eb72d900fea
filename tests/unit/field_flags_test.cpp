// cli/field_flags: core names fields, the CLI says the flags of the command being run.
#include "cli/field_flags.hpp"

#include <doctest/doctest.h>

using mailer::cli::say_as_flags;

TEST_CASE("field_flags: a leading field becomes the command's flag, other commands keep it") {
  auto s = say_as_flags("mailer message add", "subject: empty", "");
  CHECK(s.what == "--subject: empty");
  CHECK(say_as_flags("mailer message edit", "html: invalid UTF-8 at byte 3", "").what ==
        "--html-file: invalid UTF-8 at byte 3");
  // Composing a stored message at send time names the template's field, not a flag.
  CHECK(say_as_flags("mailer send", "subject: template error: x", "").what == "subject: template error: x");
  CHECK(say_as_flags("mailer message show", "subject: template error: x", "").what ==
        "subject: template error: x");
  // Only a whole leading word followed by ':' is a field.
  CHECK(say_as_flags("mailer message add", "subjects: x", "").what == "subjects: x");
  CHECK(say_as_flags("mailer message add", "subject", "").what == "subject");
}

TEST_CASE("field_flags: a quoted field in the text or the hint becomes its flag") {
  auto s = say_as_flags("mailer mailing edit", "end: before `start`",
                        "the end of a mailing must not come before its start");
  CHECK(s.what == "--end: before --start");
  CHECK(s.hint == "the end of a mailing must not come before its start");
  s = say_as_flags("mailer mailing add", "no recipients", "give `client` ID... or `group` NAME...");
  CHECK(s.hint == "give --client ID... or --group NAME...");
  CHECK(say_as_flags("mailer client list", "permission denied: `all` needs the manager role", "").what ==
        "permission denied: --all needs the manager role");
  CHECK(say_as_flags("mailer init", "x", "check `db`, MAILER_DB or [database] path").hint ==
        "check --db, MAILER_DB or [database] path");
}

TEST_CASE("field_flags: each command says its own flags") {
  auto s = say_as_flags("mailer client import", "columns: no email column",
                        "for example `columns` email,name,comment");
  CHECK(s.what == "--columns: no email column");
  CHECK(s.hint == "for example --columns email,name,comment");
  CHECK(say_as_flags("mailer report attempts", "status: unknown status 'x'", "").what ==
        "--status: unknown status 'x'");
  CHECK(say_as_flags("mailer client import", "line 2: two email columns", "give `columns`").hint ==
        "give --columns");
  // A field the command does not have is left as it is (a group's own "mailer group" rules).
  CHECK(say_as_flags("mailer mailing add", "group: the group name is empty", "").what ==
        "group: the group name is empty");
}
