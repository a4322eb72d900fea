#pragma once
// The records a user owns (SPEC §1, §2): mailings here; clients, groups, import and messages in
// their own headers, included so that one include still brings them all.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailer/core/access.hpp"
#include "mailer/core/client_import.hpp"
#include "mailer/core/clients.hpp"
#include "mailer/store/sqlite/db.hpp"
#include "mailer/core/groups.hpp"
#include "mailer/base/ids.hpp"
#include "mailer/core/messages.hpp"
#include "mailer/core/schedule.hpp"
#include "mailer/base/time.hpp"

namespace mailer {

struct Mailing {
  Id id = 0;
  Id owner = 0;
  std::string owner_email;
  std::string name;
  Id message = 0;
  std::vector<Id> clients;
  std::vector<std::string> groups;
  Time start_at = 0;
  std::optional<Time> end_at;
  schedule::Every every = schedule::Every::once;
  schedule::Status status = schedule::Status::created;
  bool enabled = true;
  std::optional<Time> next_run_at;
  Time created_at = 0;
};

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

Mailing add_mailing(store::Db& db, const Actor& actor, const MailingInput& input, Time now);
std::vector<Mailing> list_mailings(store::Db& db, const Actor& actor, Scope scope);
Mailing show_mailing(store::Db& db, const Actor& actor, Id id);
// Changes what `changes` sets; clients and/or groups, when either is set, replace all recipients.
Mailing edit_mailing(store::Db& db, const Actor& actor, Id id, const MailingInput& changes, Time now);
// Removes all or none; a mailing with a run in progress is refused (Error{data}): stop it first.
void remove_mailings(store::Db& db, const Actor& actor, const std::vector<Id>& ids);
// The owner finishes a mailing early; a run being sent stops within a second (SPEC §3).
Mailing stop_mailing(store::Db& db, const Actor& actor, Id id, Time now);
// A manager disables or enables any mailing.
Mailing set_mailing_enabled(store::Db& db, const Actor& actor, Id id, bool enabled);

// Reads a mailing without access checks (for the sender, which acts for the schedule).
std::optional<Mailing> load_mailing(store::Db& db, Id id);

}  // namespace mailer
