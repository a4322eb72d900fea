#pragma once
// Errors carry the exit code of SPEC §6, so only main() turns them into a process status.
#include <stdexcept>
#include <string>

namespace mailer {

// Exit codes of SPEC §6 (sysexits.h values).
enum class Errc : int {
  ok = 0,
  usage = 64,         // unknown command, bad or missing option
  data = 65,          // invalid email, date, CSV row, template
  not_found = 66,     // file, record, or a record the caller may not see
  internal = 70,      // a bug or an unexpected library failure
  unavailable = 69,   // SMTP server unavailable: nothing could be sent
  io_error = 74,      // a file or the output could not be read or written
  temp_failure = 75,  // some deliveries were deferred
  permission = 77,    // not logged in, blocked, wrong role, not the owner
  config = 78,        // configuration error
};

// The one exception type of libmailer: what went wrong, and a hint for the user.
class Error : public std::runtime_error {
 public:
  Error(Errc code, std::string what, std::string hint = {})
      : std::runtime_error(std::move(what)), code_(code), hint_(std::move(hint)) {}
  Errc code() const noexcept { return code_; }
  const std::string& hint() const noexcept { return hint_; }
  int exit_code() const noexcept { return static_cast<int>(code_); }

 private:
  Errc code_;
  std::string hint_;
};

}  // namespace mailer
