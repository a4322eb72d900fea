#pragma once
// The repository of delivery attempts (SPEC §1 attempt, §2 report attempts).
#include <optional>
#include <string>
#include <vector>

#include "mailer/base/ids.hpp"
#include "mailer/base/records/attempts.hpp"
#include "mailer/base/time.hpp"

namespace mailer::store {

// Which attempts a listing shows; every field narrows it.
struct AttemptQuery {
  std::optional<Id> owner;  // attempts of this account's mailings
  std::optional<Id> mailing;
  std::optional<std::string> status;
  std::optional<Time> since;         // at or after
  std::optional<std::string> email;  // ASCII case folded, exact otherwise
  bool final = false;                // each recipient's last attempt per run, before the other filters
};

class AttemptStore {
 public:
  virtual ~AttemptStore() = default;

  // Logs one attempt; its id.
  virtual Id add_attempt(const NewAttempt& attempt) = 0;
  // The attempts the query picks, oldest first.
  virtual std::vector<Attempt> list_attempts(const AttemptQuery& query) = 0;
};

}  // namespace mailer::store
