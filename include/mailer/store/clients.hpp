#pragma once
// The repository of clients and the groups they belong to (SPEC §1, §2). An address is unique
// per owner by its key (email_key()), a group's name by its folded form (fold_case()): the
// repository derives both from the text it is given, so callers never pass a key. It checks
// no access: core does, on the owners it reads here.
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mailer/base/ids.hpp"
#include "mailer/base/records/clients.hpp"
#include "mailer/base/time.hpp"

namespace mailer::store {

// Which clients list() returns, by id; every criterion given must hold.
struct ClientQuery {
  std::optional<Id> owner;  // one owner's; unset: everyone's
  std::optional<Id> group;  // members of this group
  // Members of their own owner's groups of this name, compared as fold_case() does (for
  // listings of everyone's clients, where the name is not one owner's group).
  std::optional<std::string> group_name;
  // Email, name or comment contains it, ignoring case in any script and ё/е (fold_for_search).
  std::optional<std::string> search;
  bool unsubscribed = false;  // only those who unsubscribed
  bool suppressed = false;    // only those suppressed (bounces)
};

// The bulk path of `client import`, inside the caller's transaction, which it never ends. Rows
// come in file order; whether a row's address is there is decided by the rows before it.
class ClientImport {
 public:
  virtual ~ClientImport() = default;
  // How many rows write() is best given at once.
  virtual std::size_t batch_size() const = 0;
  // Writes valid rows: a new address is added, a known one takes the row's name and comment
  // where they are not empty. Sets outcomes[i] (added, updated, already_there) for rows[i].
  virtual void write(std::span<const ClientFields> rows, std::span<RowOutcome> outcomes) = 0;
  // Puts every client a row named into the import's group (when it has one).
  virtual void finish() = 0;
};

class ClientStore {
 public:
  virtual ~ClientStore() = default;

  // The owner of client `id`; none when there is no such client.
  virtual std::optional<Id> client_owner(Id id) = 0;
  // Client `id` with its owner's email and its groups.
  virtual std::optional<Client> client(Id id) = 0;
  // The address of `owner`'s client other than `except` whose key is `email`'s, if any.
  virtual std::optional<std::string> email_taken(Id owner, std::string_view email, Id except) = 0;
  // Adds a client (the address not taken: see email_taken); its id.
  virtual Id add_client(Id owner, const ClientFields& fields, Time now) = 0;
  // Rewrites a client's address, name and comment.
  virtual void update_client(Id id, const ClientFields& fields) = 0;
  // Removes the clients (and their memberships).
  virtual void remove_clients(std::span<const Id> ids) = 0;
  // The clients `query` selects, by id, with their groups.
  virtual std::vector<Client> list_clients(const ClientQuery& query) = 0;
  // Calls `row` with `owner`'s clients (or `group`'s members among them) by id, one at a time
  // as they are read, so that an export of any size uses the memory of one row.
  virtual void export_clients(Id owner, std::optional<Id> group,
                              const std::function<void(const ClientFields&)>& row) = 0;
  // The import's writer for `owner`'s clients, adding the clients it names to `group`.
  virtual std::unique_ptr<ClientImport> start_import(Id owner, std::optional<Id> group, Time now) = 0;
  // The first of `ids` that is not a client of `owner` (or no client at all), if any: a
  // mailing sends only to its owner's clients.
  virtual std::optional<Id> first_not_owned(Id owner, std::span<const Id> ids) = 0;
  // `owner`'s client whose address is `email`, ASCII letters folded and exact otherwise (the
  // address as stored, not its key), if any.
  virtual std::optional<ClientContact> find_by_email(Id owner, std::string_view email) = 0;

  // `owner`'s group `name`, compared ignoring case, the exact spelling first so that two
  // groups that differ only in case (kept by migration 003) both stay reachable.
  virtual std::optional<GroupName> find_group(Id owner, std::string_view name) = 0;
  // Adds a group (the name not taken: see find_group); its id.
  virtual Id add_group(Id owner, std::string_view name, Time now) = 0;
  // Group `id` with its owner's email and its number of members.
  virtual std::optional<Group> group(Id id) = 0;
  // `owner`'s groups, or everyone's, by id.
  virtual std::vector<Group> list_groups(std::optional<Id> owner) = 0;
  // Removes a group (and its memberships; the clients stay).
  virtual void remove_group(Id id) = 0;
  // Puts the clients into group `id`; how many were not members yet.
  virtual std::size_t add_members(Id id, std::span<const Id> clients) = 0;
  // Takes the clients out of group `id`; how many were members.
  virtual std::size_t remove_members(Id id, std::span<const Id> clients) = 0;

  // Whether a case duplicate waits to be reported (cheap: every command asks).
  virtual bool case_duplicates_waiting() = 0;
  // The case duplicates not reported yet whose first row is still there, by kind and id.
  virtual std::vector<CaseDuplicate> waiting_case_duplicates() = 0;
  // Marks every waiting case duplicate reported at `now`.
  virtual void mark_case_duplicates_reported(Time now) = 0;

  // Marks client `id` unsubscribed at `at`, `via` saying how ("link", "one-click", "cli");
  // false, with nothing changed, when it already is: the first unsubscribe's time and way stay.
  virtual bool unsubscribe_client(Id id, Time at, std::string_view via) = 0;
  // Clears client `id`'s unsubscribe, its time and its way; false when it was subscribed.
  virtual bool resubscribe_client(Id id) = 0;
  // Suppresses client `id` at `at` for `reason` (its owner sends it nothing more); false, with
  // nothing changed, when it already is: the first suppression's time and reason stay.
  virtual bool suppress_client(Id id, Time at, std::string_view reason) = 0;
  // Lifts client `id`'s suppression, noting `at` (soft bounces before it stop counting); false
  // when it was not suppressed.
  virtual bool unsuppress_client(Id id, Time at) = 0;
};

}  // namespace mailer::store
