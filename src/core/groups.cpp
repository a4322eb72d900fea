// Groups of clients (SPEC §1, §2, §4). Names are unique per owner ignoring case in any script:
// the key is the folded name (group.name_key), so "Покупатели" and "покупатели" are one group.
#include <fmt/format.h>

#include "mailer/base/error.hpp"
#include "mailer/core/records.hpp"
#include "mailer/base/text_fold.hpp"
#include "mailer/base/utf8.hpp"
#include "mailer/base/validate.hpp"
#include "record_access.hpp"

namespace mailer {
namespace {

constexpr const char* kGroupSelect =
    "SELECT g.id, g.owner, u.email, g.name, (SELECT count(*) FROM group_member gm WHERE gm.group_id = g.id), "
    "g.created_at FROM \"group\" g JOIN account u ON u.id = g.owner";

Group read_group(const store::Statement& st) {
  return Group{st.int64(0), st.int64(1), st.text(2), st.text(3), st.int64(4), st.int64(5)};
}

Group load_group(store::Db& db, Id id) {
  auto st = db.prepare(std::string(kGroupSelect) + " WHERE g.id = ?");
  st.bind(1, id);
  st.step();
  return read_group(st);
}

void check_group_name(const std::string& name, std::string_view field) {
  check_text(name, field);
  if (name.empty()) throw Error(Errc::data, fmt::format("{}: the group name is empty", field));
  if (name.size() > kMaxGroupName)
    throw Error(Errc::data, fmt::format("{}: longer than {} bytes", field, kMaxGroupName));
}

// The id and stored name of `owner`'s group `name` (see detail::group_id).
std::optional<std::pair<Id, std::string>> find_group(store::Db& db, Id owner, const std::string& name) {
  auto st = db.prepare(
      "SELECT id, name FROM \"group\" WHERE owner = ? AND name_key = ? ORDER BY name = ? COLLATE BINARY DESC, id "
      "LIMIT 1");
  st.bind_all(owner, fold_case(name), name);
  if (!st.step()) return std::nullopt;
  return std::make_pair(st.int64(0), st.text(1));
}

// A group named by a command: the actor's own, or `owner_email`'s after the SPEC §4 check
// for `action`. A plain user naming another user learns nothing: "not found" either way.
struct NamedGroup {
  Id id;
  Id owner;
};

NamedGroup named_group(store::Db& db, const Actor& actor, const std::string& name, const OwnerEmail& owner_email,
                       RecordAction action) {
  const std::string what = fmt::format("group '{}'", utf8::visible(name));
  Id owner = actor.id;
  if (owner_email) {
    auto st = db.prepare("SELECT id FROM account WHERE email = ?");
    st.bind(1, normalize_email(*owner_email, "owner"));
    if (!st.step()) {
      if (!sees_all_records(actor)) throw Error(Errc::not_found, what + " not found");
      throw Error(Errc::not_found, fmt::format("user {} not found", utf8::visible(*owner_email)),
                  "see `mailer user list`");
    }
    owner = st.int64(0);
  }
  check_record(actor, owner, action, what);
  return NamedGroup{detail::group_id(db, owner, name), owner};
}

// Client ids must be the group owner's; others are "not found" as any unseen record.
void check_own_clients(store::Db& db, Id owner, const std::vector<Id>& clients) {
  auto st = db.prepare("SELECT owner FROM client WHERE id = ?");
  for (Id id : clients) {
    st.bind(1, id);
    if (!st.step() || st.int64(0) != owner) throw Error(Errc::not_found, fmt::format("client {} not found", id));
    st.reset();
  }
}

// Runs `sql` (group id, client id) for each client; returns how many memberships it changed.
std::size_t change_members(store::Db& db, const Actor& actor, const std::string& name, const std::vector<Id>& clients,
                           const OwnerEmail& owner, const char* sql) {
  store::Transaction tx(db);
  const NamedGroup group = named_group(db, actor, name, owner, RecordAction::change);
  check_own_clients(db, group.owner, clients);
  auto st = db.prepare(sql);
  std::size_t changed = 0;
  for (Id id : clients) {
    st.bind_all(group.id, id);
    st.run();
    changed += static_cast<std::size_t>(db.changes());
  }
  tx.commit();
  return changed;
}

}  // namespace

namespace detail {

Id group_id(store::Db& db, Id owner, const std::string& name) {
  if (auto found = find_group(db, owner, name)) return found->first;
  throw Error(Errc::not_found, fmt::format("group '{}' not found", utf8::visible(name)), "see `mailer group list`");
}

Id ensure_group(store::Db& db, Id owner, const std::string& name, Time now) {
  check_group_name(name, "group");
  if (auto found = find_group(db, owner, name)) return found->first;
  db.prepare("INSERT INTO \"group\" (owner, name, name_key, created_at) VALUES (?, ?, ?, ?)")
      .bind_all(owner, name, fold_case(name), now)
      .run();
  return db.last_insert_id();
}

}  // namespace detail

Group add_group(store::Db& db, const Actor& actor, const std::string& name, Time now) {
  check_group_name(name, "NAME");
  store::Transaction tx(db);
  if (auto found = find_group(db, actor.id, name)) {
    throw Error(Errc::data,
                found->second == name
                    ? fmt::format("group '{}' already exists", name)
                    : fmt::format("group '{}' already exists as '{}'", name, utf8::visible(found->second)),
                "group names are compared ignoring case");
  }
  Group g = load_group(db, detail::ensure_group(db, actor.id, name, now));
  tx.commit();
  return g;
}

std::vector<Group> list_groups(store::Db& db, const Actor& actor, Scope scope) {
  check_list_all(actor, scope.all);
  auto st = db.prepare(std::string(kGroupSelect) + (scope.all ? " ORDER BY g.id" : " WHERE g.owner = ? ORDER BY g.id"));
  if (!scope.all) st.bind(1, actor.id);
  std::vector<Group> out;
  while (st.step()) out.push_back(read_group(st));
  return out;
}

std::string remove_group(store::Db& db, const Actor& actor, const std::string& name, const OwnerEmail& owner) {
  store::Transaction tx(db);
  const NamedGroup group = named_group(db, actor, name, owner, RecordAction::change);
  // As a message a mailing uses cannot go: the mailing would lose its recipients silently.
  auto used = db.prepare(
      "SELECT m.id, m.name FROM mailing_group mg JOIN mailing m ON m.id = mg.mailing_id WHERE mg.group_id = ? "
      "ORDER BY m.id LIMIT 1");
  used.bind(1, group.id);
  const std::string stored = load_group(db, group.id).name;
  if (used.step()) {
    const std::string mailing_name = used.text(1);
    throw Error(Errc::data,
                fmt::format("group '{}' is used by mailing {}{}", utf8::visible(stored), used.int64(0),
                            mailing_name.empty() ? "" : fmt::format(" ('{}')", utf8::visible(mailing_name))),
                fmt::format("remove the mailing first, or give it other recipients with `mailer mailing edit {}`",
                            used.int64(0)));
  }
  db.prepare("DELETE FROM \"group\" WHERE id = ?").bind(1, group.id).run();
  tx.commit();
  return stored;
}

std::vector<Client> group_members(store::Db& db, const Actor& actor, const std::string& name, const OwnerEmail& owner) {
  const NamedGroup group = named_group(db, actor, name, owner, RecordAction::read);
  return detail::group_clients(db, group.id);
}

std::size_t add_group_members(store::Db& db, const Actor& actor, const std::string& name,
                              const std::vector<Id>& clients, const OwnerEmail& owner) {
  return change_members(db, actor, name, clients, owner,
                        "INSERT OR IGNORE INTO group_member (group_id, client_id) VALUES (?, ?)");
}

std::size_t remove_group_members(store::Db& db, const Actor& actor, const std::string& name,
                                 const std::vector<Id>& clients, const OwnerEmail& owner) {
  return change_members(db, actor, name, clients, owner,
                        "DELETE FROM group_member WHERE group_id = ? AND client_id = ?");
}

std::vector<CaseDuplicate> take_case_duplicates(store::Db& db, Time now) {
  // Every command asks, so the common answer costs one indexed read and no write.
  if (!db.prepare("SELECT 1 FROM case_duplicate WHERE reported_at IS NULL LIMIT 1").step()) return {};
  store::Transaction tx(db);
  auto st = db.prepare(
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
  db.prepare("UPDATE case_duplicate SET reported_at = ? WHERE reported_at IS NULL").bind(1, now).run();
  tx.commit();
  return out;
}

}  // namespace mailer
