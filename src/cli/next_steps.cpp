#include "next_steps.hpp"

#include <fmt/format.h>

namespace mailer::cli {

std::string hint_of(const Error& error) {
  const Id about = error.next_step_about();
  switch (error.next_step()) {
    case NextStep::none:
      return error.hint();
    case NextStep::search_clients:
      return "addresses are compared ignoring case; see `mailer client list --search`";
    case NextStep::verify_account:
      return "a new account must be verified first: mailer user verify EMAIL CODE";
    case NextStep::grant_superuser:
      return "use `mailer user grant EMAIL superuser`";
    case NextStep::reset_password:
      return "log in, or use `mailer user reset-password`";
    case NextStep::list_users:
      return "see `mailer user list`";
    case NextStep::list_groups:
      return "see `mailer group list`";
    case NextStep::edit_recipients:
      return fmt::format(
          "remove the mailing first, or give it other recipients with `mailer mailing edit {}`", about);
    case NextStep::stop_mailing:
      return fmt::format("mailer mailing stop {}, then remove it", about);
    case NextStep::enable_mailing:
      return "a manager can enable it with `mailer mailing enable`";
    case NextStep::retry_failed:
      return "create a new mailing to send the message again, or `mailer send ID --retry-failed`";
  }
  return error.hint();
}

std::string note_line(const SendNote& note) {
  switch (note.then) {
    case SendNote::Then::nothing:
      return note.text;
    case SendNote::Then::resume_when_fixed:
      return fmt::format("{} (fix it, then `mailer send {}` resumes the run)", note.text, note.mailing);
    case SendNote::Then::resume_when_message_fixed:
      return fmt::format(
          "{} (nobody was marked bounced; fix the message or the config, then `mailer send {}` resumes it)",
          note.text, note.mailing);
    case SendNote::Then::next_due:
      return note.text + " (the next `send --due` retries it)";
  }
  return note.text;
}

}  // namespace mailer::cli
