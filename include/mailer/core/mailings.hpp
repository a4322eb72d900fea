#pragma once
// Mailings (SPEC §1, §2, §3): a message sent to clients and groups on a schedule.
#include <optional>
#include <string>
#include <vector>

#include "mailer/base/ids.hpp"
#include "mailer/base/records/mailings.hpp"
#include "mailer/base/time.hpp"
#include "mailer/core/access.hpp"
#include "mailer/core/schedule.hpp"
#include "mailer/store/database.hpp"

namespace mailer {

struct MailingInput {
  std::optional<Id> message;
  std::optional<std::string> name;
  std::optional<std::vector<Id>> clients;
  std::optional<std::vector<std::string>> groups;
  std::optional<Time> start_at;
  std::optional<Time> end_at;
  bool clear_end = false;
  std::optional<schedule::Every> every;
};

Mailing add_mailing(store::Database& db, const Actor& actor, const MailingInput& input, Time now);
std::vector<Mailing> list_mailings(store::Database& db, const Actor& actor, Scope scope);
Mailing show_mailing(store::Database& db, const Actor& actor, Id id);
// Changes what `changes` sets; clients and/or groups, when either is set, replace all recipients.
Mailing edit_mailing(store::Database& db, const Actor& actor, Id id, const MailingInput& changes, Time now);
// Removes all or none; a mailing with a run in progress is refused (Error{data}): stop it first.
void remove_mailings(store::Database& db, const Actor& actor, const std::vector<Id>& ids);
// The owner finishes a mailing early; a run being sent stops within a second (SPEC §3).
Mailing stop_mailing(store::Database& db, const Actor& actor, Id id, Time now);
// A manager disables or enables any mailing.
Mailing set_mailing_enabled(store::Database& db, const Actor& actor, Id id, bool enabled);

// Reads a mailing without access checks (for the sender, which acts for the schedule).
std::optional<Mailing> load_mailing(store::Database& db, Id id);

}  // namespace mailer
