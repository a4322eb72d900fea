#pragma once
// Plain records of the attempt log (SPEC §1 attempt): one row per recipient per try.
#include <optional>
#include <string>

#include "mailer/base/ids.hpp"
#include "mailer/base/time.hpp"

namespace mailer {

// An attempt as the log lists it.
struct Attempt {
  Id id = 0;
  Id run = 0;
  Id mailing = 0;
  std::optional<Id> client;
  std::string email;
  Time at = 0;
  std::string status;
  std::optional<int> smtp_code;
  std::string server_response;
};

// An attempt to record (its id is the store's).
struct NewAttempt {
  Id run = 0;
  Id mailing = 0;
  std::optional<Id> client;  // none once the client is deleted
  std::string email;
  Time at = 0;
  std::string status;
  std::optional<int> smtp_code;
  std::string server_response;
  std::string message_id;
};

}  // namespace mailer
