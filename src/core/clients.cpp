// Clients (recipients), one at a time, and their CSV export (SPEC §1, §2). An address is
// unique per owner by its key, client.email_key (see email_key()): the local part folded
// ignoring case in any script, the domain as its A-label, so "ОЛЕГ@Пример.рф",
// "олег@пример.рф" and "олег@xn--e1afmkfd.xn--p1ai" are one client.
#include <span>

#include <fmt/format.h>

#include "mailer/base/error.hpp"
#include "mailer/base/text_fold.hpp"
#include "mailer/base/validate.hpp"
#include "mailer/core/clients.hpp"
#include "mailer/core/csv.hpp"
#include "record_access.hpp"

namespace mailer {
namespace {

Client load_client(store::Database& db, Id id) {
  auto found = db.clients().client(id);
  if (!found) throw Error(Errc::not_found, fmt::format("client {} not found", id));
  return std::move(*found);
}

// Refuses an address another client of `owner` has (ignoring case and IDN form).
void check_address_free(store::Database& db, Id owner, const std::string& email, Id except) {
  const auto existing = db.clients().email_taken(owner, email, except);
  if (!existing) return;
  throw Error(Errc::data,
              *existing == email ? fmt::format("client {} already exists", email)
                                 : fmt::format("client {} already exists as {}", email, *existing),
              NextStep::search_clients);
}

// The owner of client `id` after checking that `actor` may do `action` to it.
Id client_owner(store::Database& db, const Actor& actor, Id id, RecordAction action) {
  return detail::check_owner(actor, db.clients().client_owner(id), action, fmt::format("client {}", id));
}

// Name and comment lose surrounding blanks on every way in (add, edit, import), so that
// what export writes comes back unchanged through import.
std::string trim_blanks(std::string text) {
  text.erase(0, text.find_first_not_of(" \t"));
  text.erase(text.find_last_not_of(" \t") + 1);
  return text;
}

}  // namespace

namespace detail {

std::vector<Client> group_clients(store::Database& db, Id group_id) {
  store::ClientQuery query;
  query.group = group_id;
  return db.clients().list_clients(query);
}

}  // namespace detail

void check_client_fields(std::string_view name, std::string_view comment) {
  check_text(name, "name");
  // A comment is a note for the owner: a multi-line Excel cell keeps its line breaks.
  check_text(comment, "comment", true);
  if (name.size() > kMaxClientName)
    throw Error(Errc::data, fmt::format("name: longer than {} bytes", kMaxClientName));
  if (comment.size() > kMaxClientComment)
    throw Error(Errc::data, fmt::format("comment: longer than {} bytes", kMaxClientComment));
}

Client add_client(store::Database& db, const Actor& actor, const std::string& email_in,
                  const std::string& name_in, const std::string& comment_in,
                  const std::vector<std::string>& groups, Time now) {
  const ClientFields fields{normalize_email(email_in, "EMAIL"), trim_blanks(name_in),
                            trim_blanks(comment_in)};
  check_client_fields(fields.name, fields.comment);
  store::Transaction tx(db);
  check_address_free(db, actor.id, fields.email, 0);
  const Id id = db.clients().add_client(actor.id, fields, now);
  for (const auto& g : groups) {
    const Id gid = detail::ensure_group(db, actor.id, g, now);
    db.clients().add_members(gid, std::span<const Id>(&id, 1));
  }
  Client c = load_client(db, id);
  tx.commit();
  return c;
}

std::vector<Client> list_clients(store::Database& db, const Actor& actor, const ClientFilter& filter) {
  check_list_all(actor, filter.all);
  store::ClientQuery query;
  if (!filter.all) query.owner = actor.id;
  if (filter.group) {
    // One's own group is the one `group_id` picks; everyone's are matched by folded name.
    if (filter.all) {
      query.group_name = *filter.group;
    } else {
      query.group = detail::group_id(db, actor.id, *filter.group);  // a missing group is an error
    }
  }
  query.search = filter.search;
  query.unsubscribed = filter.unsubscribed;
  query.suppressed = filter.suppressed;
  return db.clients().list_clients(query);
}

Client show_client(store::Database& db, const Actor& actor, Id id) {
  client_owner(db, actor, id, RecordAction::read);
  return load_client(db, id);
}

Client edit_client(store::Database& db, const Actor& actor, Id id, const ClientChanges& changes) {
  if (changes.subscription != Subscription::keep || changes.unsuppress)
    throw Error(Errc::internal, "edit_client: a subscription change needs its time");  // the caller's to give
  return edit_client(db, actor, id, changes, 0).client;
}

ClientEdit edit_client(store::Database& db, const Actor& actor, Id id, const ClientChanges& changes,
                       Time now) {
  store::Transaction tx(db);
  const Id owner = client_owner(db, actor, id, RecordAction::change);
  if (changes.subscription == Subscription::resubscribe && owner != actor.id)
    throw Error(Errc::permission, fmt::format("permission denied: client {} belongs to another user", id),
                "only its owner may resubscribe a client: the recipient's consent was given to them");
  if (changes.unsuppress && owner != actor.id)
    throw Error(Errc::permission, fmt::format("permission denied: client {} belongs to another user", id),
                "only its owner may lift a client's suppression");
  Client c = load_client(db, id);
  if (changes.email) c.email = normalize_email(*changes.email, "email");
  if (changes.email) check_address_free(db, owner, c.email, id);
  if (changes.name) c.name = trim_blanks(*changes.name);
  if (changes.comment) c.comment = trim_blanks(*changes.comment);
  check_client_fields(c.name, c.comment);
  if (changes.email || changes.name || changes.comment)
    db.clients().update_client(id, ClientFields{c.email, c.name, c.comment});
  ClientEdit out;
  if (changes.subscription == Subscription::resubscribe)
    out.subscription_unchanged = !db.clients().resubscribe_client(id);
  if (changes.subscription == Subscription::unsubscribe)
    out.subscription_unchanged = !db.clients().unsubscribe_client(id, now, "cli");
  if (changes.unsuppress) out.suppression_unchanged = !db.clients().unsuppress_client(id, now);
  out.client = load_client(db, id);
  tx.commit();
  return out;
}

void remove_clients(store::Database& db, const Actor& actor, const std::vector<Id>& ids) {
  store::Transaction tx(db);
  for (Id id : ids) client_owner(db, actor, id, RecordAction::change);
  db.clients().remove_clients(ids);
  tx.commit();
}

void export_clients(store::Database& db, const Actor& actor, const std::optional<std::string>& group,
                    bool raw, const std::function<void(std::string_view)>& write) {
  const std::optional<Id> group_id =
      group ? std::optional<Id>(detail::group_id(db, actor.id, *group)) : std::nullopt;
  write(csv::format_record({"email", "name", "comment"}));
  std::vector<std::string> row(3);
  db.clients().export_clients(actor.id, group_id, [&](const ClientFields& c) {
    row[0] = raw ? c.email : csv::defuse_formula(c.email);
    row[1] = raw ? c.name : csv::defuse_formula(c.name);
    row[2] = raw ? c.comment : csv::defuse_formula(c.comment);
    write(csv::format_record(row));
  });
}

std::string export_clients(store::Database& db, const Actor& actor, const std::optional<std::string>& group) {
  std::string out;
  export_clients(db, actor, group, false, [&](std::string_view piece) { out += piece; });
  return out;
}

}  // namespace mailer
