#pragma once
// Clients, groups, messages and mailings: the records a user owns (SPEC §1, §2); messages
// are declared in messages.hpp.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailer/access.hpp"
#include "mailer/db.hpp"
#include "mailer/messages.hpp"
#include "mailer/record_base.hpp"
#include "mailer/schedule.hpp"
#include "mailer/time.hpp"

namespace mailer {

struct Client {
  Id id = 0;
  Id owner = 0;
  std::string owner_email;
  std::string email;
  std::string name;
  std::string comment;
  std::optional<Time> unsubscribed_at;
  Time created_at = 0;
  std::vector<std::string> groups;
};

struct ClientFilter {
  std::optional<std::string> group;
  std::optional<std::string> search;  // substring of email, name or comment (case-insensitive, Cyrillic too)
  bool all = false;
};

struct ClientChanges {
  std::optional<std::string> email, name, comment;
};

// Adds a client (blanks around name and comment dropped, as import does); `groups` are
// created when missing. Email taken: Error{data}.
Client add_client(store::Db& db, const Actor& actor, const std::string& email, const std::string& name,
                  const std::string& comment, const std::vector<std::string>& groups, Time now);
std::vector<Client> list_clients(store::Db& db, const Actor& actor, const ClientFilter& filter);
Client show_client(store::Db& db, const Actor& actor, Id id);
Client edit_client(store::Db& db, const Actor& actor, Id id, const ClientChanges& changes);
// Removes all or none.
void remove_clients(store::Db& db, const Actor& actor, const std::vector<Id>& ids);

struct ImportSummary {
  std::size_t rows = 0;
  std::size_t added = 0;
  std::size_t updated = 0;
  std::size_t skipped = 0;    // unchanged existing clients and duplicate rows in the file
  std::size_t invalid = 0;    // rows left out with --skip-invalid
  std::vector<std::string> problems;  // "line 7: invalid email address 'x'"
};

// Imports CSV text (header email,name,comment in any order; name and comment optional).
// Any bad row: Error{data} listing the bad lines and nothing imported, unless skip_invalid.
ImportSummary import_clients(store::Db& db, const Actor& actor, std::string_view csv_text, std::string_view source,
                             const std::optional<std::string>& group, bool skip_invalid, Time now);

// CSV (header email,name,comment; CRLF) of the caller's clients, optionally one group's.
std::string export_clients(store::Db& db, const Actor& actor, const std::optional<std::string>& group);

struct Group {
  Id id = 0;
  Id owner = 0;
  std::string owner_email;
  std::string name;
  std::int64_t members = 0;
  Time created_at = 0;
};

Group add_group(store::Db& db, const Actor& actor, const std::string& name, Time now);
std::vector<Group> list_groups(store::Db& db, const Actor& actor, Scope scope);
void remove_group(store::Db& db, const Actor& actor, const std::string& name);
std::vector<Client> group_members(store::Db& db, const Actor& actor, const std::string& name);
// Returns how many memberships changed.
std::size_t add_group_members(store::Db& db, const Actor& actor, const std::string& name, const std::vector<Id>& clients);
std::size_t remove_group_members(store::Db& db, const Actor& actor, const std::string& name,
                                 const std::vector<Id>& clients);

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
