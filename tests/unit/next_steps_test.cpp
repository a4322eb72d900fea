// Issue 9 §5: core names the next step, the CLI says it as its command, in the words users saw
// when core still spelled the command itself.
#include <doctest/doctest.h>

#include "cli/next_steps.hpp"

using namespace mailer;

namespace {

std::string hint(NextStep step, Id about = 0) { return cli::hint_of(Error(Errc::data, "what", step, about)); }

}  // namespace

TEST_CASE("next steps: an error's own hint stays; a next step becomes the command line") {
  CHECK(cli::hint_of(Error(Errc::data, "what", "its own words")) == "its own words");
  CHECK(hint(NextStep::search_clients) ==
        "addresses are compared ignoring case; see `mailer client list --search`");
  CHECK(hint(NextStep::verify_account) ==
        "a new account must be verified first: mailer user verify EMAIL CODE");
  CHECK(hint(NextStep::grant_superuser) == "use `mailer user grant EMAIL superuser`");
  CHECK(hint(NextStep::reset_password) == "log in, or use `mailer user reset-password`");
  CHECK(hint(NextStep::list_users) == "see `mailer user list`");
  CHECK(hint(NextStep::list_groups) == "see `mailer group list`");
  CHECK(hint(NextStep::edit_recipients, 7) ==
        "remove the mailing first, or give it other recipients with `mailer mailing edit 7`");
  CHECK(hint(NextStep::stop_mailing, 7) == "mailer mailing stop 7, then remove it");
  CHECK(hint(NextStep::enable_mailing, 7) == "a manager can enable it with `mailer mailing enable`");
  CHECK(hint(NextStep::retry_failed, 7) ==
        "create a new mailing to send the message again, or `mailer send ID --retry-failed`");
}

TEST_CASE("next steps: a send note ends with the command that takes its run up again") {
  CHECK(cli::note_line(SendNote("stopped: mailing 3 was stopped during the send; 2 not sent")) ==
        "stopped: mailing 3 was stopped during the send; 2 not sent");
  CHECK(cli::note_line(
            SendNote("run 4 of mailing 3 paused: bad template", SendNote::Then::resume_when_fixed, 3)) ==
        "run 4 of mailing 3 paused: bad template (fix it, then `mailer send 3` resumes the run)");
  CHECK(
      cli::note_line(SendNote("run 4 of mailing 3 paused: the SMTP server refused our message itself: 554 no",
                              SendNote::Then::resume_when_message_fixed, 3)) ==
      "run 4 of mailing 3 paused: the SMTP server refused our message itself: 554 no (nobody was marked "
      "bounced; fix the message or the config, then `mailer send 3` resumes it)");
  CHECK(cli::note_line(SendNote("run 4 of mailing 3 stopped: disk full", SendNote::Then::next_due, 3)) ==
        "run 4 of mailing 3 stopped: disk full (the next `send --due` retries it)");
}
