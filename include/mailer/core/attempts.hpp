#pragma once
// The attempt log: one row per recipient per try, with the SMTP server's reply (SPEC §1).
#include <optional>
#include <string>
#include <vector>

#include "mailer/base/records/attempts.hpp"
#include "mailer/base/time.hpp"
#include "mailer/core/access.hpp"
#include "mailer/store/database.hpp"

namespace mailer {

struct AttemptFilter {
  std::optional<Id> mailing;
  std::optional<std::string> status;  // sent, failed, deferred, bounced
  bool all = false;
  std::optional<Time> since;         // attempts at or after this instant
  std::optional<std::string> email;  // this recipient only (case-insensitive, exact otherwise)
  bool final = false;                // only each recipient's last attempt in each run
};

// The attempt log: the caller's mailings (or everyone's with `all`, managers), oldest first.
// With `final`, the last attempt of each recipient per run is chosen first and the other
// filters (status, since) apply to it: `final` + failed lists who ended failed.
std::vector<Attempt> list_attempts(store::Database& db, const Actor& actor, const AttemptFilter& filter);

}  // namespace mailer
