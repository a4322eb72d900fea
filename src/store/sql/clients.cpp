// Clients one at a time, listings and the export (SQL, both drivers). A client's groups are read as one
// row per membership and gathered here, not by group_concat (SQLite only).
#include "clients.hpp"

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "ascii_fold.hpp"
#include "mailer/base/text_fold.hpp"
#include "mailer/base/validate.hpp"

namespace mailer::store::sql {
namespace {

constexpr const char* kClientSelect =
    "SELECT c.id, c.owner, u.email, c.email, c.name, c.comment, c.unsubscribed_at, c.created_at, g.name, "
    "c.unsubscribed_via, c.suppressed_at, c.suppressed_reason FROM client c JOIN account u ON u.id = c.owner "
    "LEFT JOIN group_member gm ON gm.client_id = c.id LEFT JOIN \"group\" g ON g.id = gm.group_id";

// One WHERE condition of a listing with its value: an id, or else a text; or none.
struct Condition {
  const char* sql;
  std::optional<Id> id;
  std::string text;
  bool bound = true;  // false: `sql` has no parameter
};

// Reads the clients of kClientSelect + `conditions`, gathering each client's rows (one per
// group) into one record; `keep` drops those a filter rejects.
std::vector<Client> select_clients(SqlConnection& db, const std::vector<Condition>& conditions,
                                   const std::function<bool(const Client&)>& keep = {}) {
  std::string sql = kClientSelect;
  for (std::size_t i = 0; i < conditions.size(); ++i)
    sql += std::string(i ? " AND " : " WHERE ") + conditions[i].sql;
  sql += " ORDER BY c.id";
  auto st = db.prepare(sql);
  int at = 0;
  for (const Condition& c : conditions) {
    if (!c.bound) continue;
    if (c.id) {
      st.bind(++at, *c.id);
    } else {
      st.bind(++at, c.text);
    }
  }
  std::vector<Client> out;
  Client current;
  bool reading = false;
  const auto done = [&] {
    std::sort(current.groups.begin(), current.groups.end());
    if (!keep || keep(current)) out.push_back(std::move(current));
  };
  while (st.step()) {
    const Id id = st.int64(0);
    if (!reading || current.id != id) {
      if (reading) done();
      reading = true;
      current = Client{};
      current.id = id;
      current.owner = st.int64(1);
      current.owner_email = st.text(2);
      current.email = st.text(3);
      current.name = st.text(4);
      current.comment = st.text(5);
      current.unsubscribed_at = st.opt_int64(6);
      current.created_at = st.int64(7);
      if (current.unsubscribed_at) current.unsubscribed_via = st.opt_text(9);
      current.suppressed_at = st.opt_int64(10);
      if (current.suppressed_at) current.suppressed_reason = st.text(11);
    }
    if (!st.is_null(8)) current.groups.push_back(st.text(8));
  }
  if (reading) done();
  return out;
}

}  // namespace

std::optional<Id> SqlClientStore::client_owner(Id id) {
  auto st = db_.prepare("SELECT owner FROM client WHERE id = ?");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  return st.int64(0);
}

std::optional<Client> SqlClientStore::client(Id id) {
  auto found = select_clients(db_, {{"c.id = ?", id, {}}});
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

std::optional<std::string> SqlClientStore::email_taken(Id owner, std::string_view email, Id except) {
  auto st = db_.prepare("SELECT email FROM client WHERE owner = ? AND email_key = ? AND id <> ? LIMIT 1");
  st.bind_all(owner, email_key(email), except);
  if (!st.step()) return std::nullopt;
  return st.text(0);
}

Id SqlClientStore::add_client(Id owner, const ClientFields& fields, Time now) {
  auto st = db_.prepare(
      "INSERT INTO client (owner, email, email_key, name, comment, created_at) VALUES (?, ?, ?, ?, ?, ?) "
      "RETURNING id");
  st.bind_all(owner, fields.email, email_key(fields.email), fields.name, fields.comment, now);
  const Id id = st.returned_id();
  st.reset();
  return id;
}

void SqlClientStore::update_client(Id id, const ClientFields& fields) {
  // A client kept apart by migration 003 (key_dup) keeps its mark while its key is the same.
  db_.prepare(
         "UPDATE client SET email = ?1, email_key = ?2, key_dup = CASE WHEN email_key = ?2 THEN key_dup ELSE "
         "0 "
         "END, name = ?3, comment = ?4 WHERE id = ?5")
      .bind_all(fields.email, email_key(fields.email), fields.name, fields.comment, id)
      .run();
}

void SqlClientStore::remove_clients(std::span<const Id> ids) {
  auto del = db_.prepare("DELETE FROM client WHERE id = ?");
  for (Id id : ids) {
    del.bind(1, id);
    del.run();
  }
}

std::vector<Client> SqlClientStore::list_clients(const ClientQuery& query) {
  std::vector<Condition> conditions;
  if (query.owner) conditions.push_back({"c.owner = ?", *query.owner, {}});
  if (query.group)
    conditions.push_back(
        {"c.id IN (SELECT client_id FROM group_member WHERE group_id = ?)", *query.group, {}});
  if (query.group_name)
    conditions.push_back(
        {"c.id IN (SELECT m.client_id FROM group_member m JOIN \"group\" n ON n.id = m.group_id "
         "WHERE n.name_key = ? AND n.owner = c.owner)",
         std::nullopt, fold_case(*query.group_name)});
  if (query.unsubscribed) conditions.push_back({"c.unsubscribed_at IS NOT NULL", std::nullopt, {}, false});
  if (query.suppressed) conditions.push_back({"c.suppressed_at IS NOT NULL", std::nullopt, {}, false});
  if (!query.search) return select_clients(db_, conditions);
  // Matched here, not in SQL: SQLite's lower() and LIKE fold ASCII only.
  const std::string needle = fold_for_search(*query.search);
  const auto has = [&](const std::string& text) { return search_matches(fold_for_search(text), needle); };
  return select_clients(db_, conditions,
                        [&](const Client& c) { return has(c.email) || has(c.name) || has(c.comment); });
}

void SqlClientStore::export_clients(Id owner, std::optional<Id> group,
                                    const std::function<void(const ClientFields&)>& row) {
  // In pages by id: libpq holds a statement's whole result in memory, so one SELECT of every
  // client would grow with the list on PostgreSQL.
  constexpr int kPage = 2000;
  std::string sql = "SELECT id, email, name, comment FROM client WHERE owner = ?1 AND id > ?2";
  if (group) sql += " AND id IN (SELECT client_id FROM group_member WHERE group_id = ?3)";
  sql += " ORDER BY id LIMIT ?4";
  ClientFields fields;
  for (Id after = 0;;) {
    auto st = db_.prepare(sql);
    st.bind(1, owner);
    st.bind(2, after);
    if (group) st.bind(3, *group);
    st.bind(4, kPage);
    int rows = 0;
    while (st.step()) {
      after = st.int64(0);
      fields.email = st.text(1);
      fields.name = st.text(2);
      fields.comment = st.text(3);
      row(fields);
      ++rows;
    }
    if (rows < kPage) return;
  }
}

std::unique_ptr<ClientImport> SqlClientStore::start_import(Id owner, std::optional<Id> group, Time now) {
  return make_client_import(db_, owner, group, now);
}

bool SqlClientStore::unsubscribe_client(Id id, Time at, std::string_view via) {
  db_.prepare(
         "UPDATE client SET unsubscribed_at = ?, unsubscribed_via = ? WHERE id = ? AND unsubscribed_at IS "
         "NULL")
      .bind_all(at, via, id)
      .run();
  return db_.changes() == 1;
}

bool SqlClientStore::resubscribe_client(Id id) {
  db_.prepare(
         "UPDATE client SET unsubscribed_at = NULL, unsubscribed_via = NULL WHERE id = ? AND unsubscribed_at "
         "IS "
         "NOT NULL")
      .bind(1, id)
      .run();
  return db_.changes() == 1;
}

bool SqlClientStore::suppress_client(Id id, Time at, std::string_view reason) {
  db_.prepare(
         "UPDATE client SET suppressed_at = ?, suppressed_reason = ? WHERE id = ? AND suppressed_at IS NULL")
      .bind_all(at, reason, id)
      .run();
  return db_.changes() == 1;
}

bool SqlClientStore::unsuppress_client(Id id, Time at) {
  db_.prepare(
         "UPDATE client SET suppressed_at = NULL, suppressed_reason = NULL, unsuppressed_at = ? "
         "WHERE id = ? AND suppressed_at IS NOT NULL")
      .bind_all(at, id)
      .run();
  return db_.changes() == 1;
}

std::optional<Id> SqlClientStore::first_not_owned(Id owner, std::span<const Id> ids) {
  auto owner_of = db_.prepare("SELECT owner FROM client WHERE id = ?");
  for (Id c : ids) {
    owner_of.bind(1, c);
    const bool ours = owner_of.step() && owner_of.int64(0) == owner;
    owner_of.reset();
    if (!ours) return c;
  }
  return std::nullopt;
}

std::optional<ClientContact> SqlClientStore::find_by_email(Id owner, std::string_view email) {
  // ASCII letters folded as SQLite's NOCASE on the column compared them, in SQL both backends
  // evaluate alike (see ascii_fold.hpp; lower() is only the fast first test).
  static const std::string sql = fmt::format(
      "SELECT id, email, name FROM client WHERE owner = ?1 AND lower(email) = lower(?2) AND {} = ?2",
      ascii_fold_sql("email"));
  auto st = db_.prepare(sql);
  st.bind_all(owner, ascii_fold(email));
  if (!st.step()) return std::nullopt;
  return ClientContact{st.int64(0), st.text(1), st.text(2)};
}

}  // namespace mailer::store::sql
