#pragma once
// Shared helpers of the record modules: owner lookups that apply the SPEC §4 matrix.
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "mailer/base/error.hpp"
#include "mailer/base/records/clients.hpp"
#include "mailer/base/time.hpp"
#include "mailer/base/validate.hpp"
#include "mailer/core/access.hpp"
#include "mailer/store/database.hpp"

namespace mailer::detail {

// `owner` (the record's owner as its repository read it, none when there is no such record)
// after checking that `actor` may do `action` to the record `what` ("message 4"); a missing
// record is "not found" just like one the actor may not see.
inline Id check_owner(const Actor& actor, std::optional<Id> owner, RecordAction action,
                      const std::string& what) {
  if (!owner) throw Error(Errc::not_found, fmt::format("{} not found", what));
  check_record(actor, *owner, action, what);
  return *owner;
}

// The group `name` of `owner`, matched ignoring case (Unicode), the exact spelling first so
// that two groups that differ only in case (kept by migration 003) both stay reachable; or
// Error{not_found}. Defined in groups.cpp.
Id group_id(store::Database& db, Id owner, const std::string& name);

// Creates the group when missing (the name checked first); returns its id.
Id ensure_group(store::Database& db, Id owner, const std::string& name, Time now);

// The clients of group `group_id`, by id (a group's members). Defined in clients.cpp.
std::vector<Client> group_clients(store::Database& db, Id group_id);

}  // namespace mailer::detail
