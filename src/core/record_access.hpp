#pragma once
// Shared helpers of the record modules: owner lookups that apply the SPEC §4 matrix.
#include <string_view>

#include <fmt/format.h>

#include "mailer/error.hpp"
#include "mailer/records.hpp"
#include "mailer/validate.hpp"

namespace mailer::detail {

// The owner of row `id` of `table` after checking that `actor` may do `action` to it;
// a missing row is "not found" just like one the actor may not see.
inline Id checked_owner(store::Db& db, const Actor& actor, std::string_view table, std::string_view noun, Id id,
                        RecordAction action) {
  auto st = db.prepare(fmt::format("SELECT owner FROM \"{}\" WHERE id = ?", table));
  st.bind(1, id);
  std::string what = fmt::format("{} {}", noun, id);
  if (!st.step()) throw Error(Errc::not_found, fmt::format("{} not found", what));
  Id owner = st.int64(0);
  check_record(actor, owner, action, what);
  return owner;
}

// The group `name` of `owner`, or Error{not_found}.
inline Id group_id(store::Db& db, Id owner, const std::string& name) {
  auto st = db.prepare("SELECT id FROM \"group\" WHERE owner = ? AND name = ?");
  st.bind_all(owner, name);
  if (!st.step()) throw Error(Errc::not_found, fmt::format("group '{}' not found", name), "see `mailer group list`");
  return st.int64(0);
}

// Creates the group when missing.
inline Id ensure_group(store::Db& db, Id owner, const std::string& name, Time now) {
  check_header_value(name, "group");
  if (name.empty()) throw Error(Errc::data, "group: the name is empty");
  db.prepare("INSERT INTO \"group\" (owner, name, created_at) VALUES (?, ?, ?) ON CONFLICT (owner, name) DO NOTHING")
      .bind_all(owner, name, now)
      .run();
  return group_id(db, owner, name);
}

// The owner's email, for listings of everyone's records.
inline std::string owner_email(store::Db& db, Id owner) {
  auto st = db.prepare("SELECT email FROM user WHERE id = ?");
  st.bind(1, owner);
  return st.step() ? st.text(0) : std::string();
}

}  // namespace mailer::detail
