#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>

#include "mailer/csv.hpp"
#include "mailer/error.hpp"
#include "mailer/records.hpp"
#include "mailer/validate.hpp"
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

Client load_client(store::Db& db, Id id) {
  auto st = db.prepare(fmt::format("SELECT {} FROM client c JOIN user u ON u.id = c.owner WHERE c.id = ?",
                                   kClientColumns));
  st.bind(1, id);
  if (!st.step()) throw Error(Errc::not_found, fmt::format("client {} not found", id));
  return read_client(st);
}

void check_client_fields(const std::string& name, const std::string& comment) {
  check_header_value(name, "--name");
  check_utf8(comment, "--comment");
  if (name.size() > 200) throw Error(Errc::data, "--name: longer than 200 bytes");
  if (comment.size() > 2000) throw Error(Errc::data, "--comment: longer than 2000 bytes");
}

bool email_taken(store::Db& db, Id owner, const std::string& email, Id except) {
  auto st = db.prepare("SELECT 1 FROM client WHERE owner = ? AND email = ? AND id <> ?");
  st.bind_all(owner, email, except);
  return st.step();
}

// Lowercased ASCII key: what the database's NOCASE collation treats as equal.
std::string email_key(std::string_view email) {
  std::string key(email);
  for (char& ch : key)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  return key;
}

// Lowercases ASCII, Latin-1 and Cyrillic letters in UTF-8 for `--search`: SQLite's lower()
// knows ASCII only, and the shop owners search their clients' Russian names.
std::string fold_case(std::string_view text) {
  std::string out(text);
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto b0 = static_cast<unsigned char>(out[i]);
    if (b0 >= 'A' && b0 <= 'Z') {
      out[i] = static_cast<char>(b0 - 'A' + 'a');
    } else if (i + 1 < out.size() && (b0 == 0xC3 || b0 == 0xD0)) {
      auto b1 = static_cast<unsigned char>(out[i + 1]);
      if (b0 == 0xC3 && b1 >= 0x80 && b1 <= 0x9E && b1 != 0x97) {  // À..Þ but ×
        out[i + 1] = static_cast<char>(b1 + 0x20);
      } else if (b0 == 0xD0 && b1 >= 0x80 && b1 <= 0x8F) {  // Ѐ..Џ (Ё) -> ѐ..џ
        out[i] = static_cast<char>(0xD1);
        out[i + 1] = static_cast<char>(b1 + 0x10);
      } else if (b0 == 0xD0 && b1 >= 0x90 && b1 <= 0x9F) {  // А..П -> а..п
        out[i + 1] = static_cast<char>(b1 + 0x20);
      } else if (b0 == 0xD0 && b1 >= 0xA0 && b1 <= 0xAF) {  // Р..Я -> р..я
        out[i] = static_cast<char>(0xD1);
        out[i + 1] = static_cast<char>(b1 - 0x20);
      }
      ++i;
    }
  }
  return out;
}

// Name and comment lose surrounding blanks on every way in (add, edit, import), so that
// what export writes comes back unchanged through import.
std::string trim_blanks(std::string text) {
  text.erase(0, text.find_first_not_of(" \t"));
  text.erase(text.find_last_not_of(" \t") + 1);
  return text;
}

}  // namespace

Client add_client(store::Db& db, const Actor& actor, const std::string& email_in, const std::string& name_in,
                  const std::string& comment_in, const std::vector<std::string>& groups, Time now) {
  std::string email = normalize_email(email_in, "EMAIL");
  const std::string name = trim_blanks(name_in);
  const std::string comment = trim_blanks(comment_in);
  check_client_fields(name, comment);
  store::Transaction tx(db);
  if (email_taken(db, actor.id, email, 0))
    throw Error(Errc::data, fmt::format("client {} already exists", email), "see `mailer client list --search`");
  db.prepare("INSERT INTO client (owner, email, name, comment, created_at) VALUES (?, ?, ?, ?, ?)")
      .bind_all(actor.id, email, name, comment, now)
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
  std::string sql = fmt::format("SELECT {} FROM client c JOIN user u ON u.id = c.owner WHERE 1", kClientColumns);
  if (!filter.all) sql += " AND c.owner = ?1";
  if (filter.group)
    sql += " AND c.id IN (SELECT gm.client_id FROM group_member gm JOIN \"group\" g ON g.id = gm.group_id "
           "WHERE g.name = ?2 AND g.owner = c.owner)";
  sql += " ORDER BY c.id";
  auto st = db.prepare(sql);
  if (!filter.all) st.bind(1, actor.id);
  if (filter.group) {
    if (!filter.all) detail::group_id(db, actor.id, *filter.group);  // a missing group is an error
    st.bind(2, *filter.group);
  }
  // The search is matched here, not in SQL: it must fold Cyrillic case (see fold_case).
  const std::string needle = filter.search ? fold_case(*filter.search) : std::string();
  std::vector<Client> out;
  while (st.step()) {
    Client c = read_client(st);
    if (filter.search && fold_case(c.email).find(needle) == std::string::npos &&
        fold_case(c.name).find(needle) == std::string::npos && fold_case(c.comment).find(needle) == std::string::npos)
      continue;
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
  if (changes.email) {
    c.email = normalize_email(*changes.email, "--email");
    if (email_taken(db, owner, c.email, id))
      throw Error(Errc::data, fmt::format("client {} already exists", c.email));
  }
  if (changes.name) c.name = trim_blanks(*changes.name);
  if (changes.comment) c.comment = trim_blanks(*changes.comment);
  check_client_fields(c.name, c.comment);
  db.prepare("UPDATE client SET email = ?, name = ?, comment = ? WHERE id = ?")
      .bind_all(c.email, c.name, c.comment, id)
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

ImportSummary import_clients(store::Db& db, const Actor& actor, std::string_view csv_text, std::string_view source,
                             const std::optional<std::string>& group, bool skip_invalid, Time now) {
  csv::Document doc;
  try {
    doc = csv::parse(csv_text);
  } catch (const Error& e) {
    throw Error(Errc::data, fmt::format("{}: {}", source, e.what()), e.hint());
  }
  if (doc.records.empty()) throw Error(Errc::data, fmt::format("{}: empty file", source), "the first line must be the header email,name,comment");

  // The header: email required, name and comment optional, any order.
  int col_email = -1, col_name = -1, col_comment = -1;
  const auto& header = doc.records[0];
  for (std::size_t i = 0; i < header.fields.size(); ++i) {
    std::string h = email_key(header.fields[i]);
    h.erase(0, h.find_first_not_of(" \t"));
    h.erase(h.find_last_not_of(" \t") + 1);
    int idx = static_cast<int>(i);
    if (h == "email" || h == "e-mail") col_email = idx;
    else if (h == "name") col_name = idx;
    else if (h == "comment") col_comment = idx;
    else
      throw Error(Errc::data, fmt::format("{}: line {}: unknown column '{}'", source, header.line, header.fields[i]),
                  "the header must be email,name,comment (any order)");
  }
  if (col_email < 0)
    throw Error(Errc::data, fmt::format("{}: line {}: no 'email' column in the header", source, header.line),
                "the header must be email,name,comment (any order)");

  struct Row {
    std::string email, name, comment;
  };
  ImportSummary summary;
  std::vector<Row> rows;
  std::unordered_map<std::string, std::size_t> by_email;
  rows.reserve(doc.records.size());
  by_email.reserve(doc.records.size());
  auto field = [](const csv::Record& r, int col) -> std::string {
    if (col < 0 || static_cast<std::size_t>(col) >= r.fields.size()) return {};
    std::string v = r.fields[static_cast<std::size_t>(col)];
    v.erase(0, v.find_first_not_of(" \t"));
    v.erase(v.find_last_not_of(" \t") + 1);
    return v;
  };
  for (std::size_t i = 1; i < doc.records.size(); ++i) {
    const auto& r = doc.records[i];
    ++summary.rows;
    try {
      if (r.fields.size() > header.fields.size())
        throw Error(Errc::data, fmt::format("{} fields, the header has {}", r.fields.size(), header.fields.size()));
      Row row{normalize_email(field(r, col_email), "email"), field(r, col_name), field(r, col_comment)};
      check_client_fields(row.name, row.comment);
      auto [it, inserted] = by_email.try_emplace(email_key(row.email), rows.size());
      if (inserted) {
        rows.push_back(std::move(row));
      } else {
        // A later duplicate row fills in or overrides what it has.
        Row& first = rows[it->second];
        if (!row.name.empty()) first.name = row.name;
        if (!row.comment.empty()) first.comment = row.comment;
        ++summary.skipped;
      }
    } catch (const Error& e) {
      ++summary.invalid;
      summary.problems.push_back(fmt::format("line {}: {}", r.line, e.what()));
    }
  }
  if (!summary.problems.empty() && !skip_invalid) {
    std::string lines;
    for (std::size_t i = 0; i < summary.problems.size() && i < 5; ++i) lines += (i ? "; " : "") + summary.problems[i];
    if (summary.problems.size() > 5) lines += fmt::format("; and {} more", summary.problems.size() - 5);
    throw Error(Errc::data, fmt::format("{}: {} invalid row(s), nothing imported: {}", source, summary.problems.size(), lines),
                "fix them, or use --skip-invalid to import the rest");
  }

  store::Transaction tx(db);
  std::unordered_map<std::string, Client> existing;
  {
    auto st = db.prepare("SELECT id, email, name, comment FROM client WHERE owner = ?");
    st.bind(1, actor.id);
    while (st.step()) {
      Client c;
      c.id = st.int64(0);
      c.email = st.text(1);
      c.name = st.text(2);
      c.comment = st.text(3);
      existing.emplace(email_key(c.email), std::move(c));
    }
  }
  std::optional<Id> gid;
  if (group) gid = detail::ensure_group(db, actor.id, *group, now);
  auto insert = db.prepare("INSERT INTO client (owner, email, name, comment, created_at) VALUES (?, ?, ?, ?, ?)");
  auto update = db.prepare("UPDATE client SET name = ?, comment = ? WHERE id = ?");
  auto member = db.prepare("INSERT OR IGNORE INTO group_member (group_id, client_id) VALUES (?, ?)");
  for (auto& row : rows) {
    Id id;
    auto it = existing.find(email_key(row.email));
    if (it == existing.end()) {
      insert.bind_all(actor.id, row.email, row.name, row.comment, now);
      insert.run();
      id = db.last_insert_id();
      ++summary.added;
    } else {
      id = it->second.id;
      std::string name = row.name.empty() ? it->second.name : row.name;
      std::string comment = row.comment.empty() ? it->second.comment : row.comment;
      if (name != it->second.name || comment != it->second.comment) {
        update.bind_all(name, comment, id);
        update.run();
        ++summary.updated;
      } else {
        ++summary.skipped;
      }
    }
    if (gid) {
      member.bind_all(*gid, id);
      member.run();
    }
  }
  tx.commit();
  return summary;
}

std::string export_clients(store::Db& db, const Actor& actor, const std::optional<std::string>& group) {
  std::string sql = "SELECT c.email, c.name, c.comment FROM client c WHERE c.owner = ?1";
  if (group) {
    detail::group_id(db, actor.id, *group);
    sql += " AND c.id IN (SELECT gm.client_id FROM group_member gm JOIN \"group\" g ON g.id = gm.group_id "
           "WHERE g.owner = ?1 AND g.name = ?2)";
  }
  sql += " ORDER BY c.id";
  auto st = db.prepare(sql);
  st.bind(1, actor.id);
  if (group) st.bind(2, *group);
  std::string out = csv::format_record({"email", "name", "comment"});
  while (st.step()) out += csv::format_record({st.text(0), st.text(1), st.text(2)});
  return out;
}

// ---- groups ----

namespace {

Group read_group(const store::Statement& st) {
  return Group{st.int64(0), st.int64(1), st.text(2), st.text(3), st.int64(4), st.int64(5)};
}

constexpr const char* kGroupSelect =
    "SELECT g.id, g.owner, u.email, g.name, (SELECT count(*) FROM group_member gm WHERE gm.group_id = g.id), "
    "g.created_at FROM \"group\" g JOIN user u ON u.id = g.owner";

// Client ids must be the group owner's; others are "not found" as any unseen record.
void check_own_clients(store::Db& db, Id owner, const std::vector<Id>& clients) {
  auto st = db.prepare("SELECT owner FROM client WHERE id = ?");
  for (Id id : clients) {
    st.bind(1, id);
    if (!st.step() || st.int64(0) != owner)
      throw Error(Errc::not_found, fmt::format("client {} not found", id));
    st.reset();
  }
}

}  // namespace

Group add_group(store::Db& db, const Actor& actor, const std::string& name, Time now) {
  check_header_value(name, "NAME");
  if (name.empty()) throw Error(Errc::data, "NAME: the group name is empty");
  store::Transaction tx(db);
  auto exists = db.prepare("SELECT 1 FROM \"group\" WHERE owner = ? AND name = ?");
  exists.bind_all(actor.id, name);
  if (exists.step()) throw Error(Errc::data, fmt::format("group '{}' already exists", name));
  Id id = detail::ensure_group(db, actor.id, name, now);
  auto st = db.prepare(std::string(kGroupSelect) + " WHERE g.id = ?");
  st.bind(1, id);
  st.step();
  Group g = read_group(st);
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

void remove_group(store::Db& db, const Actor& actor, const std::string& name) {
  store::Transaction tx(db);
  Id gid = detail::group_id(db, actor.id, name);
  db.prepare("DELETE FROM \"group\" WHERE id = ?").bind(1, gid).run();
  tx.commit();
}

std::vector<Client> group_members(store::Db& db, const Actor& actor, const std::string& name) {
  ClientFilter filter;
  filter.group = name;
  return list_clients(db, actor, filter);
}

namespace {

// Runs `sql` (group id, client id) for each client of the caller's group; returns how many
// memberships it changed.
std::size_t change_members(store::Db& db, const Actor& actor, const std::string& name, const std::vector<Id>& clients,
                           const char* sql) {
  store::Transaction tx(db);
  Id gid = detail::group_id(db, actor.id, name);
  check_own_clients(db, actor.id, clients);
  auto st = db.prepare(sql);
  std::size_t changed = 0;
  for (Id id : clients) {
    st.bind_all(gid, id);
    st.run();
    changed += static_cast<std::size_t>(db.changes());
  }
  tx.commit();
  return changed;
}

}  // namespace

std::size_t add_group_members(store::Db& db, const Actor& actor, const std::string& name,
                              const std::vector<Id>& clients) {
  return change_members(db, actor, name, clients, "INSERT OR IGNORE INTO group_member (group_id, client_id) VALUES (?, ?)");
}

std::size_t remove_group_members(store::Db& db, const Actor& actor, const std::string& name,
                                 const std::vector<Id>& clients) {
  return change_members(db, actor, name, clients, "DELETE FROM group_member WHERE group_id = ? AND client_id = ?");
}

}  // namespace mailer
