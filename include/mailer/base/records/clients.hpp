#pragma once
// Plain records of clients, groups and the client import (SPEC §1, §2), as the client store
// reads and writes them and core returns them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mailer/base/ids.hpp"
#include "mailer/base/time.hpp"

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
  std::vector<std::string> groups;  // names, sorted
  // How the client left, while unsubscribed_at is set: "link" (the page of the unsubscribe
  // link), "one-click" (the mail program's RFC 8058 button), "cli" (`client edit
  // --unsubscribe`); none for unsubscribes recorded before mailer kept it.
  std::optional<std::string> unsubscribed_via;
  // When bounces suppressed the address for its owner, and why ("userunknown", "soft bounces:
  // mailboxfull ×3"); none while it is not suppressed.
  std::optional<Time> suppressed_at;
  std::optional<std::string> suppressed_reason;
};

// What a client holds that its owner writes: on add, edit and import.
struct ClientFields {
  std::string email;  // as normalize_email() returned it
  std::string name;
  std::string comment;
};

struct Group {
  Id id = 0;
  Id owner = 0;
  std::string owner_email;
  std::string name;
  std::int64_t members = 0;
  Time created_at = 0;
};

// A group found by name: its id and its name as stored (which may differ in case).
struct GroupName {
  Id id = 0;
  std::string name;
};

// A client found by its address: what a copy to that address borrows from it.
struct ClientContact {
  Id id = 0;
  std::string email;
  std::string name;
};

// Clients or groups of one owner that differ only in case, which older versions allowed and
// migration 003 kept (both rows; see case_duplicate).
struct CaseDuplicate {
  std::string kind;  // "client" | "group"
  std::string owner_email;
  Id first = 0;
  std::string first_text;  // the first one's email or name
  Id id = 0;
  std::string text;
};

// What one imported row did.
enum class RowOutcome { added, updated, already_there, invalid };

}  // namespace mailer
