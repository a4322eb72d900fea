// Groups, their members and the case duplicates of migrations 003 and 009 (SQL, both drivers). A group's
// name is matched by its folded key (group.name_key, unique per owner), which the store writes:
// SQLite's NOCASE folds ASCII only, and PostgreSQL has none.
#include <string>
#include <vector>

#include "clients.hpp"
#include "mailer/base/text_fold.hpp"

namespace mailer::store::sql {
namespace {

constexpr const char* kGroupSelect =
    "SELECT g.id, g.owner, u.email, g.name, (SELECT count(*) FROM group_member gm WHERE gm.group_id = g.id), "
    "g.created_at FROM \"group\" g JOIN account u ON u.id = g.owner";

Group read_group(const Statement& st) {
  return Group{st.int64(0), st.int64(1), st.text(2), st.text(3), st.int64(4), st.int64(5)};
}

// Runs `sql` (a group id, a client id; RETURNING a row when it changed something) for each
// client; how many changed.
std::size_t each_member(SqlConnection& db, const char* sql, Id group, std::span<const Id> clients) {
  auto st = db.prepare(sql);
  std::size_t changed = 0;
  for (Id id : clients) {
    st.bind_all(group, id);
    while (st.step()) ++changed;
    st.reset();
  }
  return changed;
}

}  // namespace

std::optional<GroupName> SqlClientStore::find_group(Id owner, std::string_view name) {
  auto st = db_.prepare("SELECT id, name FROM \"group\" WHERE owner = ? AND name_key = ? ORDER BY id");
  st.bind_all(owner, fold_case(name));
  std::optional<GroupName> first;
  while (st.step()) {
    GroupName found{st.int64(0), st.text(1)};
    if (found.name == name) return found;
    if (!first) first = std::move(found);
  }
  return first;
}

Id SqlClientStore::add_group(Id owner, std::string_view name, Time now) {
  auto st = db_.prepare(
      "INSERT INTO \"group\" (owner, name, name_key, created_at) VALUES (?, ?, ?, ?) RETURNING id");
  st.bind_all(owner, name, fold_case(name), now);
  const Id id = st.returned_id();
  st.reset();
  return id;
}

std::optional<Group> SqlClientStore::group(Id id) {
  auto st = db_.prepare(std::string(kGroupSelect) + " WHERE g.id = ?");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  return read_group(st);
}

std::vector<Group> SqlClientStore::list_groups(std::optional<Id> owner) {
  auto st = db_.prepare(std::string(kGroupSelect) +
                        (owner ? " WHERE g.owner = ? ORDER BY g.id" : " ORDER BY g.id"));
  if (owner) st.bind(1, *owner);
  std::vector<Group> out;
  while (st.step()) out.push_back(read_group(st));
  return out;
}

void SqlClientStore::remove_group(Id id) {
  db_.prepare("DELETE FROM \"group\" WHERE id = ?").bind(1, id).run();
}

std::size_t SqlClientStore::add_members(Id id, std::span<const Id> clients) {
  return each_member(db_,
                     "INSERT INTO group_member (group_id, client_id) VALUES (?, ?) ON CONFLICT DO NOTHING "
                     "RETURNING client_id",
                     id, clients);
}

std::size_t SqlClientStore::remove_members(Id id, std::span<const Id> clients) {
  return each_member(db_, "DELETE FROM group_member WHERE group_id = ? AND client_id = ? RETURNING client_id",
                     id, clients);
}

bool SqlClientStore::case_duplicates_waiting() {
  return db_.prepare("SELECT 1 FROM case_duplicate WHERE reported_at IS NULL LIMIT 1").step();
}

std::vector<CaseDuplicate> SqlClientStore::waiting_case_duplicates() {
  auto st = db_.prepare(
      "SELECT d.kind, u.email, d.first, coalesce(cf.email, gf.name), d.id, coalesce(c.email, g.name) "
      "FROM case_duplicate d "
      "LEFT JOIN client c ON d.kind = 'client' AND c.id = d.id "
      "LEFT JOIN client cf ON d.kind = 'client' AND cf.id = d.first "
      "LEFT JOIN \"group\" g ON d.kind = 'group' AND g.id = d.id "
      "LEFT JOIN \"group\" gf ON d.kind = 'group' AND gf.id = d.first "
      "JOIN account u ON u.id = coalesce(c.owner, g.owner) "
      "WHERE d.reported_at IS NULL AND coalesce(cf.id, gf.id) IS NOT NULL ORDER BY d.kind, d.id");
  std::vector<CaseDuplicate> out;
  while (st.step())
    out.push_back(CaseDuplicate{st.text(0), st.text(1), st.int64(2), st.text(3), st.int64(4), st.text(5)});
  return out;
}

void SqlClientStore::mark_case_duplicates_reported(Time now) {
  db_.prepare("UPDATE case_duplicate SET reported_at = ? WHERE reported_at IS NULL").bind(1, now).run();
}

}  // namespace mailer::store::sql
