// Groups of clients (SPEC §1, §2, §4). Names are unique per owner ignoring case in any script:
// the key is the folded name (group.name_key), so "Покупатели" and "покупатели" are one group.
#include <fmt/format.h>

#include "mailer/base/error.hpp"
#include "mailer/base/utf8.hpp"
#include "mailer/base/validate.hpp"
#include "mailer/core/groups.hpp"
#include "record_access.hpp"

namespace mailer {
namespace {

Group load_group(store::Database& db, Id id) {
  auto found = db.clients().group(id);
  if (!found) throw Error(Errc::not_found, fmt::format("group {} not found", id));
  return std::move(*found);
}

void check_group_name(const std::string& name, std::string_view field) {
  check_text(name, field);
  if (name.empty()) throw Error(Errc::data, fmt::format("{}: the group name is empty", field));
  if (name.size() > kMaxGroupName)
    throw Error(Errc::data, fmt::format("{}: longer than {} bytes", field, kMaxGroupName));
}

// A group named by a command: the actor's own, or `owner_email`'s after the SPEC §4 check
// for `action`. A plain user naming another user learns nothing: "not found" either way.
struct NamedGroup {
  Id id;
  Id owner;
};

NamedGroup named_group(store::Database& db, const Actor& actor, const std::string& name,
                       const OwnerEmail& owner_email, RecordAction action) {
  const std::string what = fmt::format("group '{}'", utf8::visible(name));
  Id owner = actor.id;
  if (owner_email) {
    const auto found = db.accounts().find_by_email(normalize_email(*owner_email, "owner"));
    if (!found) {
      if (!sees_all_records(actor)) throw Error(Errc::not_found, what + " not found");
      throw Error(Errc::not_found, fmt::format("user {} not found", utf8::visible(*owner_email)),
                  NextStep::list_users);
    }
    owner = found->id;
  }
  check_record(actor, owner, action, what);
  return NamedGroup{detail::group_id(db, owner, name), owner};
}

// Client ids must be the group owner's; others are "not found" as any unseen record.
void check_own_clients(store::Database& db, Id owner, const std::vector<Id>& clients) {
  for (Id id : clients)
    if (db.clients().client_owner(id) != owner)
      throw Error(Errc::not_found, fmt::format("client {} not found", id));
}

// Adds (`add`) or removes the clients' memberships; returns how many changed.
std::size_t change_members(store::Database& db, const Actor& actor, const std::string& name,
                           const std::vector<Id>& clients, const OwnerEmail& owner, bool add) {
  store::Transaction tx(db);
  const NamedGroup group = named_group(db, actor, name, owner, RecordAction::change);
  check_own_clients(db, group.owner, clients);
  const std::size_t changed =
      add ? db.clients().add_members(group.id, clients) : db.clients().remove_members(group.id, clients);
  tx.commit();
  return changed;
}

}  // namespace

namespace detail {

Id group_id(store::Database& db, Id owner, const std::string& name) {
  if (auto found = db.clients().find_group(owner, name)) return found->id;
  throw Error(Errc::not_found, fmt::format("group '{}' not found", utf8::visible(name)),
              NextStep::list_groups);
}

Id ensure_group(store::Database& db, Id owner, const std::string& name, Time now) {
  check_group_name(name, "group");
  if (auto found = db.clients().find_group(owner, name)) return found->id;
  return db.clients().add_group(owner, name, now);
}

}  // namespace detail

Group add_group(store::Database& db, const Actor& actor, const std::string& name, Time now) {
  check_group_name(name, "NAME");
  store::Transaction tx(db);
  if (auto found = db.clients().find_group(actor.id, name)) {
    throw Error(Errc::data,
                found->name == name
                    ? fmt::format("group '{}' already exists", name)
                    : fmt::format("group '{}' already exists as '{}'", name, utf8::visible(found->name)),
                "group names are compared ignoring case");
  }
  Group g = load_group(db, detail::ensure_group(db, actor.id, name, now));
  tx.commit();
  return g;
}

std::vector<Group> list_groups(store::Database& db, const Actor& actor, Scope scope) {
  check_list_all(actor, scope.all);
  return db.clients().list_groups(scope.all ? std::nullopt : std::optional<Id>(actor.id));
}

std::string remove_group(store::Database& db, const Actor& actor, const std::string& name,
                         const OwnerEmail& owner) {
  store::Transaction tx(db);
  const NamedGroup group = named_group(db, actor, name, owner, RecordAction::change);
  // As a message a mailing uses cannot go: the mailing would lose its recipients silently.
  const std::string stored = load_group(db, group.id).name;
  if (const auto used = db.mailings().first_using_group(group.id)) {
    throw Error(Errc::data,
                fmt::format("group '{}' is used by mailing {}{}", utf8::visible(stored), used->mailing,
                            used->name.empty() ? "" : fmt::format(" ('{}')", utf8::visible(used->name))),
                NextStep::edit_recipients, used->mailing);
  }
  db.clients().remove_group(group.id);
  tx.commit();
  return stored;
}

std::vector<Client> group_members(store::Database& db, const Actor& actor, const std::string& name,
                                  const OwnerEmail& owner) {
  const NamedGroup group = named_group(db, actor, name, owner, RecordAction::read);
  return detail::group_clients(db, group.id);
}

std::size_t add_group_members(store::Database& db, const Actor& actor, const std::string& name,
                              const std::vector<Id>& clients, const OwnerEmail& owner) {
  return change_members(db, actor, name, clients, owner, true);
}

std::size_t remove_group_members(store::Database& db, const Actor& actor, const std::string& name,
                                 const std::vector<Id>& clients, const OwnerEmail& owner) {
  return change_members(db, actor, name, clients, owner, false);
}

std::vector<CaseDuplicate> take_case_duplicates(store::Database& db, Time now) {
  // Every command asks, so the common answer costs one indexed read and no write.
  if (!db.clients().case_duplicates_waiting()) return {};
  store::Transaction tx(db);
  std::vector<CaseDuplicate> out = db.clients().waiting_case_duplicates();
  db.clients().mark_case_duplicates_reported(now);
  tx.commit();
  return out;
}

}  // namespace mailer
