#pragma once
// Errors carry the exit code of SPEC §6, so only main() turns them into a process status.
#include <stdexcept>
#include <string>

#include "mailer/base/ids.hpp"

namespace mailer {

// Exit codes of SPEC §6 (sysexits.h values).
enum class Errc : int {
  ok = 0,
  usage = 64,         // unknown command, bad or missing option: the CLI's word for bad_request
  bad_request = 64,   // a request's fields missing, unknown or given twice (below the CLI)
  data = 65,          // invalid email, date, CSV row, template
  not_found = 66,     // file, record, or a record the caller may not see
  internal = 70,      // a bug or an unexpected library failure
  unavailable = 69,   // SMTP server unavailable: nothing could be sent
  io_error = 74,      // a file or the output could not be read or written
  temp_failure = 75,  // some deliveries were deferred
  permission = 77,    // not logged in, blocked, wrong role, not the owner
  config = 78,        // configuration error
};

// When the way out of an error is another request, the error names that request and the CLI
// words it as its command (cli/next_steps.cpp): below the CLI no text names a command or a flag.
enum class NextStep {
  none,
  search_clients,   // an address that differs only in case: the client list's search finds it
  verify_account,   // a login refused: a new account is verified with its emailed code first
  grant_superuser,  // the user exists: give them the superuser role instead
  reset_password,   // the user is registered: log in, or reset the password
  list_users,       // an unknown user: the list of users
  list_groups,      // an unknown group: the list of groups
  edit_recipients,  // a group a mailing uses: remove that mailing, or give it other recipients
  stop_mailing,     // a mailing being sent: stop it, then remove it
  enable_mailing,   // a disabled mailing: a manager enables it
  retry_failed,     // a finished mailing: a new mailing, or a retry of its failed recipients
};

// The one exception type of libmailer: what went wrong, and a hint for the user (its words, or
// the next step: `about` is the record the step acts on, when it names one).
class Error : public std::runtime_error {
 public:
  Error(Errc code, std::string what, std::string hint = {})
      : std::runtime_error(std::move(what)), code_(code), hint_(std::move(hint)) {}
  Error(Errc code, std::string what, NextStep step, Id about = 0)
      : std::runtime_error(std::move(what)), code_(code), step_(step), about_(about) {}
  Errc code() const noexcept { return code_; }
  const std::string& hint() const noexcept { return hint_; }
  NextStep next_step() const noexcept { return step_; }
  Id next_step_about() const noexcept { return about_; }
  int exit_code() const noexcept { return static_cast<int>(code_); }

 private:
  Errc code_;
  std::string hint_;
  NextStep step_ = NextStep::none;
  Id about_ = 0;
};

}  // namespace mailer
