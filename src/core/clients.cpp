// Clients (recipients), one at a time, and their CSV export (SPEC §1, §2). An address is
// unique per owner by its key, client.email_key (see email_key()): the local part folded
// ignoring case in any script, the domain as its A-label, so "ОЛЕГ@Пример.рф",
// "олег@пример.рф" and "олег@xn--e1afmkfd.xn--p1ai" are one client.
#include <algorithm>

#include <fmt/format.h>

#include "mailer/core/csv.hpp"
#include "mailer/base/error.hpp"
#include "mailer/core/records.hpp"
#include "mailer/base/text_fold.hpp"
#include "mailer/base/validate.hpp"
#include "record_access.hpp"

namespace mailer {
namespace {

constexpr const char* kClientColumns =
    "c.id, c.owner, u.email, c.email, c.name, c.comment, c.unsubscribed_at, c.created_at, "
    "(SELECT group_concat(g.name, ',') FROM group_member gm JOIN \"group\" g ON g.id = gm.group_id "
    "WHERE gm.client_id = c.id)";

Client read_client(const store::Statement& st) {
  Client c;
  c.id = st.int64(0);
  c.owner = st.int64(1);
  c.owner_email = st.text(2);
  c.email = st.text(3);
  c.name = st.text(4);
  c.comment = st.text(5);
  c.unsubscribed_at = st.opt_int64(6);
  c.created_at = st.int64(7);
  std::string groups = st.text(8);
  std::size_t pos = 0;
  while (pos < groups.size()) {
    auto comma = groups.find(',', pos);
    if (comma == std::string::npos) comma = groups.size();
    c.groups.push_back(groups.substr(pos, comma - pos));
    pos = comma + 1;
  }
  std::sort(c.groups.begin(), c.groups.end());
  return c;
}

std::vector<Client> select_clients(store::Db& db, const std::string& where, Id arg) {
  auto st = db.prepare(
      fmt::format("SELECT {} FROM client c JOIN account u ON u.id = c.owner WHERE {} ORDER BY c.id", kClientColumns, where));
  st.bind(1, arg);
  std::vector<Client> out;
  while (st.step()) out.push_back(read_client(st));
  return out;
}

Client load_client(store::Db& db, Id id) {
  auto found = select_clients(db, "c.id = ?1", id);
  if (found.empty()) throw Error(Errc::not_found, fmt::format("client {} not found", id));
  return found.front();
}

// Refuses an address another client of `owner` has (ignoring case and IDN form).
void check_address_free(store::Db& db, Id owner, const std::string& email, const std::string& key, Id except) {
  auto st = db.prepare("SELECT email FROM client WHERE owner = ? AND email_key = ? AND id <> ? LIMIT 1");
  st.bind_all(owner, key, except);
  if (!st.step()) return;
  const std::string existing = st.text(0);
  throw Error(Errc::data,
              existing == email ? fmt::format("client {} already exists", email)
                                : fmt::format("client {} already exists as {}", email, existing),
              "addresses are compared ignoring case; see `mailer client list --search`");
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

std::vector<Client> group_clients(store::Db& db, Id group_id) {
  return select_clients(db, "c.id IN (SELECT client_id FROM group_member WHERE group_id = ?1)", group_id);
}

}  // namespace detail

void check_client_fields(std::string_view name, std::string_view comment) {
  check_text(name, "name");
  // A comment is a note for the owner: a multi-line Excel cell keeps its line breaks.
  check_text(comment, "comment", true);
  if (name.size() > kMaxClientName) throw Error(Errc::data, fmt::format("name: longer than {} bytes", kMaxClientName));
  if (comment.size() > kMaxClientComment)
    throw Error(Errc::data, fmt::format("comment: longer than {} bytes", kMaxClientComment));
}

Client add_client(store::Db& db, const Actor& actor, const std::string& email_in, const std::string& name_in,
                  const std::string& comment_in, const std::vector<std::string>& groups, Time now) {
  const std::string email = normalize_email(email_in, "EMAIL");
  const std::string key = email_key(email);
  const std::string name = trim_blanks(name_in);
  const std::string comment = trim_blanks(comment_in);
  check_client_fields(name, comment);
  store::Transaction tx(db);
  check_address_free(db, actor.id, email, key, 0);
  db.prepare("INSERT INTO client (owner, email, email_key, name, comment, created_at) VALUES (?, ?, ?, ?, ?, ?)")
      .bind_all(actor.id, email, key, name, comment, now)
      .run();
  Id id = db.last_insert_id();
  for (const auto& g : groups) {
    Id gid = detail::ensure_group(db, actor.id, g, now);
    db.prepare("INSERT OR IGNORE INTO group_member (group_id, client_id) VALUES (?, ?)").bind_all(gid, id).run();
  }
  Client c = load_client(db, id);
  tx.commit();
  return c;
}

std::vector<Client> list_clients(store::Db& db, const Actor& actor, const ClientFilter& filter) {
  check_list_all(actor, filter.all);
  std::string sql = fmt::format("SELECT {} FROM client c JOIN account u ON u.id = c.owner WHERE 1", kClientColumns);
  if (!filter.all) sql += " AND c.owner = ?1";
  if (filter.group) {
    // One's own group is the one `group_id` picks; everyone's are matched by folded name.
    sql += filter.all ? " AND c.id IN (SELECT gm.client_id FROM group_member gm JOIN \"group\" g ON "
                        "g.id = gm.group_id WHERE g.name_key = ?2 AND g.owner = c.owner)"
                      : " AND c.id IN (SELECT client_id FROM group_member WHERE group_id = ?2)";
  }
  sql += " ORDER BY c.id";
  auto st = db.prepare(sql);
  if (!filter.all) st.bind(1, actor.id);
  if (filter.group) {
    if (filter.all) {
      st.bind(2, fold_case(*filter.group));
    } else {
      st.bind(2, detail::group_id(db, actor.id, *filter.group));  // a missing group is an error
    }
  }
  // The search is matched here, not in SQL: SQLite's lower() and LIKE fold ASCII only.
  const std::string needle = filter.search ? fold_for_search(*filter.search) : std::string();
  const auto has = [&](const std::string& text) { return search_matches(fold_for_search(text), needle); };
  std::vector<Client> out;
  while (st.step()) {
    Client c = read_client(st);
    if (filter.search && !has(c.email) && !has(c.name) && !has(c.comment)) continue;
    out.push_back(std::move(c));
  }
  return out;
}

Client show_client(store::Db& db, const Actor& actor, Id id) {
  detail::checked_owner(db, actor, "client", "client", id, RecordAction::read);
  return load_client(db, id);
}

Client edit_client(store::Db& db, const Actor& actor, Id id, const ClientChanges& changes) {
  store::Transaction tx(db);
  Id owner = detail::checked_owner(db, actor, "client", "client", id, RecordAction::change);
  Client c = load_client(db, id);
  if (changes.email) c.email = normalize_email(*changes.email, "email");
  const std::string key = email_key(c.email);
  if (changes.email) check_address_free(db, owner, c.email, key, id);
  if (changes.name) c.name = trim_blanks(*changes.name);
  if (changes.comment) c.comment = trim_blanks(*changes.comment);
  check_client_fields(c.name, c.comment);
  // A client kept apart by migration 003 (key_dup) keeps its mark while its key is the same.
  db.prepare(
        "UPDATE client SET email = ?1, email_key = ?2, key_dup = CASE WHEN email_key = ?2 THEN key_dup ELSE 0 END, "
        "name = ?3, comment = ?4 WHERE id = ?5")
      .bind_all(c.email, key, c.name, c.comment, id)
      .run();
  tx.commit();
  return load_client(db, id);
}

void remove_clients(store::Db& db, const Actor& actor, const std::vector<Id>& ids) {
  store::Transaction tx(db);
  for (Id id : ids) detail::checked_owner(db, actor, "client", "client", id, RecordAction::change);
  auto del = db.prepare("DELETE FROM client WHERE id = ?");
  for (Id id : ids) {
    del.bind(1, id);
    del.run();
  }
  tx.commit();
}

void export_clients(store::Db& db, const Actor& actor, const std::optional<std::string>& group, bool raw,
                    const std::function<void(std::string_view)>& write) {
  std::string sql = "SELECT c.email, c.name, c.comment FROM client c WHERE c.owner = ?1";
  if (group) sql += " AND c.id IN (SELECT client_id FROM group_member WHERE group_id = ?2)";
  sql += " ORDER BY c.id";
  auto st = db.prepare(sql);
  st.bind(1, actor.id);
  if (group) st.bind(2, detail::group_id(db, actor.id, *group));
  write(csv::format_record({"email", "name", "comment"}));
  std::vector<std::string> row(3);
  while (st.step()) {
    for (int i = 0; i < 3; ++i) row[static_cast<std::size_t>(i)] = raw ? st.text(i) : csv::defuse_formula(st.text(i));
    write(csv::format_record(row));
  }
}

std::string export_clients(store::Db& db, const Actor& actor, const std::optional<std::string>& group) {
  std::string out;
  export_clients(db, actor, group, false, [&](std::string_view piece) { out += piece; });
  return out;
}

}  // namespace mailer
