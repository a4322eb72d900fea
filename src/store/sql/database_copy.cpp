#include "mailer/store/database_copy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "mailer/base/error.hpp"

namespace mailer::store {
namespace {

// Every table of schema version 12, parents before children (the order of 011_schema.sql), so
// that each reference is there before the row that makes it.
const char* const kTables[] = {
    "account",       "session",          "user_code", "code_event", "client",         "\"group\"",
    "group_member",  "case_duplicate",   "message",   "mailing",    "mailing_client", "mailing_group",
    "run",           "run_recipient",    "attempt",   "event",      "post",           "setting",
    "bounce_report", "bounce_recipient", "fleet_pace"};

std::string bare(std::string_view table) {
  std::string name(table);
  name.erase(std::remove(name.begin(), name.end(), '"'), name.end());
  return name;
}

std::int64_t count_rows(SqlConnection& db, std::string_view table) {
  auto st = db.prepare(fmt::format("SELECT count(*) FROM {}", table));
  st.step();
  const std::int64_t n = st.int64(0);
  st.reset();
  return n;
}

struct Column {
  std::string name;
  std::string type;  // PostgreSQL's data_type
};

std::vector<Column> target_columns(SqlConnection& to, std::string_view table) {
  auto st = to.prepare(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() "
      "AND table_name = ? ORDER BY ordinal_position");
  st.bind(1, bare(table));
  std::vector<Column> out;
  while (st.step()) out.push_back({st.text(0), st.text(1)});
  return out;
}

// Refuses a source with a table this copy does not know: a row would be left behind.
void check_source_tables(SqlConnection& from) {
  auto st = from.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
  while (st.step()) {
    const std::string name = st.text(0);
    if (std::none_of(std::begin(kTables), std::end(kTables), [&](const char* t) { return bare(t) == name; }))
      throw Error(Errc::internal,
                  fmt::format("db copy: table {} of {} is not known to the copy", name, from.name()));
  }
}

// One value read from the source, as the target column takes it.
struct Blob {
  std::string bytes;
};
using Value = std::variant<std::monostate, bool, std::int64_t, double, Blob, std::string>;

std::string insert_sql(std::string_view table, const std::string& names, std::size_t columns,
                       std::size_t rows) {
  std::string sql = fmt::format("INSERT INTO {} ({}) VALUES ", table, names);
  for (std::size_t r = 0, param = 1; r < rows; ++r) {
    sql += r ? ", (" : "(";
    for (std::size_t c = 0; c < columns; ++c, ++param) sql += (c ? ", ?" : "?") + std::to_string(param);
    sql += ")";
  }
  return sql;
}

void bind_values(Statement& st, const std::vector<Value>& values) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    const int param = static_cast<int>(i) + 1;
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::monostate>)
            st.bind_null(param);
          else if constexpr (std::is_same_v<T, Blob>)
            st.bind_blob(param, v.bytes);
          else
            st.bind(param, v);
        },
        values[i]);
  }
  st.run();
}

std::int64_t copy_table(SqlConnection& from, SqlConnection& to, std::string_view table) {
  const auto columns = target_columns(to, table);
  if (columns.empty())
    throw Error(Errc::internal, fmt::format("db copy: {} has no table {}", to.name(), table));
  std::string names;
  for (std::size_t i = 0; i < columns.size(); ++i)
    names += (i ? ", " : "") + fmt::format("\"{}\"", columns[i].name);
  // Many rows a statement: one a statement is a round trip to the server per row. PostgreSQL
  // takes at most 65535 parameters a statement.
  const std::size_t per_insert = std::clamp<std::size_t>(20000 / columns.size(), 1, 500);
  auto read = from.prepare(fmt::format("SELECT {} FROM {}", names, table));
  std::optional<Statement> full;
  std::vector<Value> batch;
  batch.reserve(per_insert * columns.size());
  std::int64_t rows = 0;
  while (read.step()) {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const int col = static_cast<int>(i);
      const std::string& type = columns[i].type;
      if (read.is_null(col))
        batch.emplace_back(std::monostate{});
      else if (type == "boolean")
        batch.emplace_back(read.int64(col) != 0);
      else if (type == "bigint" || type == "integer" || type == "smallint")
        batch.emplace_back(read.int64(col));
      else if (type == "double precision" || type == "real")
        batch.emplace_back(read.real(col));
      else if (type == "bytea")
        batch.emplace_back(Blob{read.blob(col)});
      else
        batch.emplace_back(read.text(col));
    }
    ++rows;
    if (batch.size() == per_insert * columns.size()) {
      if (!full) full.emplace(to.prepare(insert_sql(table, names, columns.size(), per_insert)));
      bind_values(*full, batch);
      batch.clear();
    }
  }
  if (!batch.empty()) {
    auto rest = to.prepare(insert_sql(table, names, columns.size(), batch.size() / columns.size()));
    bind_values(rest, batch);
  }
  return rows;
}

// The identity of each id column moves past the largest id SQLite gave: the row's, or one
// deleted since, which AUTOINCREMENT remembers in sqlite_sequence.
void move_identities(SqlConnection& from, SqlConnection& to) {
  auto st = to.prepare(
      "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() "
      "AND column_name = 'id' AND is_identity = 'YES'");
  std::vector<std::string> tables;
  while (st.step()) tables.push_back(st.text(0));
  for (const auto& table : tables) {
    std::int64_t last = 0;
    auto seq = from.prepare("SELECT seq FROM sqlite_sequence WHERE name = ?");
    seq.bind(1, table);
    if (seq.step()) last = seq.int64(0);
    auto top = to.prepare(fmt::format("SELECT coalesce(max(id), 0) FROM \"{}\"", table));
    top.step();
    last = std::max(last, top.int64(0));
    if (last > 0)
      to.prepare(fmt::format("SELECT setval(pg_get_serial_sequence('\"{}\"', 'id'), ?)", table))
          .bind(1, last)
          .run();
  }
}

}  // namespace

std::vector<CopiedTable> copy_database(SqlConnection& from, SqlConnection& to) {
  if (from.dialect() != Dialect::sqlite || to.dialect() != Dialect::postgres)
    throw Error(Errc::config, "db copy copies an SQLite database into a PostgreSQL one",
                "run it with the SQLite database as `db` and a postgresql:// URL as the target");
  if (from.schema_version() != to.schema_version())
    throw Error(Errc::config,
                fmt::format("{} has schema version {} and {} version {}", from.name(), from.schema_version(),
                            to.name(), to.schema_version()),
                "run the same mailer on both");
  check_source_tables(from);
  Transaction read(from, false);  // one snapshot of the source, however long the copy takes
  Transaction write(to, true);
  for (const char* table : kTables)
    if (const auto n = count_rows(to, table); n > 0)
      throw Error(Errc::data, fmt::format("{} is not empty: table {} has {} rows", to.name(), bare(table), n),
                  "copy into a new database (createdb), or drop this one's rows first");
  std::vector<CopiedTable> copied;
  for (const char* table : kTables) copied.push_back({bare(table), copy_table(from, to, table)});
  move_identities(from, to);
  for (std::size_t i = 0; i < copied.size(); ++i) {
    const std::int64_t source = count_rows(from, kTables[i]), target = count_rows(to, kTables[i]);
    if (source != target || target != copied[i].rows)
      throw Error(Errc::internal,
                  fmt::format("db copy: table {} has {} rows in {} but {} in {}; nothing was copied",
                              copied[i].name, source, from.name(), target, to.name()));
  }
  write.commit();
  read.commit();
  return copied;
}

}  // namespace mailer::store
