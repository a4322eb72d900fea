#pragma once
// Groups of clients (SPEC §1, §2). A group is named by its name, compared ignoring case in
// any script; `owner` (a user's email) names another user's group: a manager may read it,
// a superuser may also change it (SPEC §4).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mailer/base/ids.hpp"
#include "mailer/base/records/clients.hpp"
#include "mailer/base/time.hpp"
#include "mailer/core/access.hpp"
#include "mailer/core/clients.hpp"
#include "mailer/store/database.hpp"

namespace mailer {

// Cap of a group's name (bytes of UTF-8).
constexpr std::size_t kMaxGroupName = 200;

using OwnerEmail = std::optional<std::string>;

Group add_group(store::Database& db, const Actor& actor, const std::string& name, Time now);
std::vector<Group> list_groups(store::Database& db, const Actor& actor, Scope scope);
// Refused (Error{data}) while a mailing sends to the group. Returns the name as stored.
std::string remove_group(store::Database& db, const Actor& actor, const std::string& name,
                         const OwnerEmail& owner = {});
std::vector<Client> group_members(store::Database& db, const Actor& actor, const std::string& name,
                                  const OwnerEmail& owner = {});
// Returns how many memberships changed. The clients must be the group owner's.
std::size_t add_group_members(store::Database& db, const Actor& actor, const std::string& name,
                              const std::vector<Id>& clients, const OwnerEmail& owner = {});
std::size_t remove_group_members(store::Database& db, const Actor& actor, const std::string& name,
                                 const std::vector<Id>& clients, const OwnerEmail& owner = {});

// Clients or groups of one owner that differ only in case, which older versions allowed and
// migration 003 kept (both rows; see case_duplicate). Reported once, then marked reported.
std::vector<CaseDuplicate> take_case_duplicates(store::Database& db, Time now);

}  // namespace mailer
