// `client import` (SPEC §2): real files from shop owners' spreadsheets. The header may be
// Russian or English, in any case, with columns we do not keep and Excel's empty trailing
// ones; a plain list of addresses needs none. Rows stream from the reader into one
// transaction: a bad row rolls everything back, so memory never holds more than one row.
#include <algorithm>

#include <fmt/format.h>

#include "mailer/core/client_import.hpp"
#include "mailer/base/error.hpp"
#include "mailer/core/records.hpp"
#include "mailer/base/validate.hpp"

#include "import_columns.hpp"
#include "record_access.hpp"

namespace mailer {
namespace {

using detail::Layout;
using detail::trim;

constexpr std::size_t kProblemsShown = 5;

// Writes rows through prepared statements; duplicates are found through the unique index on
// (owner, email_key, key_dup), among the clients already there and those added by earlier
// rows. A new client costs one INSERT that the index may refuse; the group membership of all
// new clients is written at the end in one pass over their (increasing) ids.
class Importer {
 public:
  Importer(store::Db& db, const Actor& actor, const ImportOptions& options, ImportSummary& summary, Time now)
      : actor_(actor),
        options_(options),
        summary_(summary),
        now_(now),
        find_(db.prepare("SELECT id, name, comment FROM client WHERE owner = ? AND email_key = ? ORDER BY key_dup "
                         "LIMIT 1")),
        insert_(db.prepare("INSERT INTO client (owner, email, email_key, name, comment, created_at) "
                           "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")),
        update_(db.prepare("UPDATE client SET name = ?, comment = ? WHERE id = ?")),
        member_(db.prepare("INSERT OR IGNORE INTO group_member (group_id, client_id) VALUES (?, ?)")),
        batch_insert_(db.prepare(batch_sql(kBatch))),
        db_(db) {
    batch_.resize(kBatch);
    if (options.group) group_ = detail::ensure_group(db, actor.id, *options.group, now);
    auto last = db.prepare("SELECT coalesce(max(id), 0) FROM client");
    last.step();
    last_before_ = last.int64(0);
    // A pair kept apart by migration 003 may have lost its key_dup = 0 row, which the INSERT
    // would not then run into: such owners look every address up first.
    auto dups = db.prepare("SELECT 1 FROM client WHERE owner = ? AND key_dup <> 0 LIMIT 1");
    dups.bind(1, actor.id);
    look_up_first_ = dups.step();
  }

  // Writes the rows still waiting, and puts the clients this import added into the group.
  void finish() {
    if (failed_) return;
    flush();
    if (!group_) return;
    db_.prepare("INSERT OR IGNORE INTO group_member (group_id, client_id) SELECT ?, id FROM client WHERE id > ?")
        .bind_all(*group_, last_before_)
        .run();
  }

  void row(const csv::Record& r, const Layout& layout) {
    ++summary_.rows;
    RowNote note;
    note.line = r.line;
    try {
      std::size_t used = r.fields.size();
      while (used > 0 && r.fields[used - 1].empty()) --used;
      if (used > layout.width)
        throw Error(Errc::data, layout.width == 1 && !summary_.header
                                    ? fmt::format("{} fields, a list of addresses has one", used)
                                    : fmt::format("{} fields, the header has {}", used, layout.width),
                    "quote a field that holds the separator");
      const std::string email = normalize_email(cell(r, layout.at[0]), "email");
      const std::string_view name = cell(r, layout.at[1]);
      const std::string_view comment = cell(r, layout.at[2]);
      check_client_fields(name, comment);
      if (!failed_) enqueue(r.line, email, name, comment);
      return;
    } catch (const Error& e) {
      if (e.code() != Errc::data) throw;
      ++summary_.invalid;
      note.outcome = RowOutcome::invalid;
      note.problem = e.hint().empty() ? e.what() : fmt::format("{} ({})", e.what(), e.hint());
      if (problems_.size() < kProblemsShown) problems_.push_back(fmt::format("line {}: {}", r.line, e.what()));
    }
    // The rows before it are written (and noted) first, so that notes keep the file's order.
    if (!failed_) flush();
    if (!options_.skip_invalid) failed_ = true;
    if (options_.on_row) options_.on_row(note);
  }

  // Error{data} listing the first bad rows, when a row failed without skip_invalid.
  void check() const {
    if (!failed_) return;
    std::string lines;
    for (const auto& p : problems_) lines += (lines.empty() ? "" : "; ") + p;
    if (summary_.invalid > problems_.size()) lines += fmt::format("; and {} more", summary_.invalid - problems_.size());
    throw Error(Errc::data,
                fmt::format("{}: {} invalid row(s), nothing imported: {}", options_.source, summary_.invalid, lines),
                "fix them, or use `skip_invalid` to import the rest");
  }

 private:
  // A cell as import reads it: trimmed, and without the ' that export puts before a formula.
  static std::string_view cell(const csv::Record& r, const std::optional<std::size_t>& at) {
    if (!at || *at >= r.fields.size()) return {};
    return trim(csv::strip_formula_guard(trim(r.fields[*at])));
  }

  // A valid row waiting to be written.
  struct Pending {
    std::size_t line = 0;
    std::string email, key, name, comment;
  };

  static std::string batch_sql(std::size_t rows) {
    std::string sql = "INSERT INTO client (owner, email, email_key, name, comment, created_at) VALUES ";
    for (std::size_t i = 0; i < rows; ++i) sql += i ? ",(?,?,?,?,?,?)" : "(?,?,?,?,?,?)";
    return sql + " ON CONFLICT DO NOTHING RETURNING email_key";
  }

  void note(std::size_t line, RowOutcome outcome, const std::string& email) {
    if (options_.on_row) options_.on_row(RowNote{line, outcome, email, {}});
  }

  // New addresses go in batches: one INSERT of many rows, which the index refuses for the
  // addresses already there; those are then looked up one by one. A file seen before is
  // mostly addresses already there, so after a batch of them each row is looked up first.
  void enqueue(std::size_t line, const std::string& email, std::string_view name, std::string_view comment) {
    if (look_up_first_ || found_last_) {
      Pending p{line, email, email_key(email), std::string(name), std::string(comment)};
      note(line, write(p), p.email);
      return;
    }
    Pending& p = batch_[pending_++];
    p.line = line;
    p.email = email;
    p.key = email_key(email);
    p.name = name;
    p.comment = comment;
    if (pending_ == kBatch) flush();
  }

  void flush() {
    if (pending_ == 0) return;
    std::optional<store::Statement> partial;
    if (pending_ < kBatch) partial.emplace(db_.prepare(batch_sql(pending_)));
    store::Statement& insert = partial ? *partial : batch_insert_;
    for (std::size_t i = 0; i < pending_; ++i) {
      const int at = static_cast<int>(i * 6);
      const Pending& p = batch_[i];
      insert.bind(at + 1, actor_.id).bind(at + 2, p.email).bind(at + 3, p.key).bind(at + 4, p.name);
      insert.bind(at + 5, p.comment).bind(at + 6, now_);
    }
    returned_.clear();
    while (insert.step()) returned_.push_back(insert.text(0));
    insert.reset();
    std::sort(returned_.begin(), returned_.end());
    taken_.assign(returned_.size(), false);
    std::size_t refused = 0;
    for (std::size_t i = 0; i < pending_; ++i) {
      const Pending& p = batch_[i];
      // The first row of a key in the batch is the one inserted; later ones were refused.
      const auto it = std::lower_bound(returned_.begin(), returned_.end(), p.key);
      const auto at = static_cast<std::size_t>(it - returned_.begin());
      if (it != returned_.end() && *it == p.key && !taken_[at]) {
        taken_[at] = true;
        ++summary_.added;
        note(p.line, RowOutcome::added, p.email);
        continue;
      }
      ++refused;
      note(p.line, write(p), p.email);
    }
    found_last_ = refused * 2 > pending_;
    pending_ = 0;
  }

  // One row, looked up first.
  RowOutcome write(const Pending& p) {
    const std::string& key = p.key;
    const std::string_view name = p.name;
    const std::string_view comment = p.comment;
    const std::string& email = p.email;
    find_.bind_all(actor_.id, key);
    if (!find_.step()) {
      find_.reset();
      found_last_ = false;
      insert_.bind_all(actor_.id, email, key, name, comment, now_);
      insert_.run();
      ++summary_.added;
      return RowOutcome::added;
    }
    found_last_ = true;
    const Id id = find_.int64(0);
    // An empty field keeps what the client has.
    const std::string old_name = find_.text(1);
    const std::string old_comment = find_.text(2);
    find_.reset();
    const std::string_view new_name = name.empty() ? std::string_view(old_name) : name;
    const std::string_view new_comment = comment.empty() ? std::string_view(old_comment) : comment;
    RowOutcome outcome = RowOutcome::already_there;
    if (new_name != old_name || new_comment != old_comment) {
      update_.bind_all(new_name, new_comment, id);
      update_.run();
      outcome = RowOutcome::updated;
      ++summary_.updated;
    } else {
      ++summary_.already_there;
    }
    if (group_ && id <= last_before_) {
      member_.bind_all(*group_, id);
      member_.run();
    }
    return outcome;
  }

  const Actor& actor_;
  const ImportOptions& options_;
  ImportSummary& summary_;
  Time now_;
  static constexpr std::size_t kBatch = 64;
  store::Statement find_, insert_, update_, member_, batch_insert_;
  store::Db& db_;
  std::optional<Id> group_;
  Id last_before_ = 0;
  bool look_up_first_ = false;
  bool found_last_ = false;
  std::vector<Pending> batch_;
  std::size_t pending_ = 0;
  std::vector<std::string> returned_;
  std::vector<bool> taken_;
  std::vector<std::string> problems_;
  bool failed_ = false;
};

// A larger page cache while importing: index pages written by one row are still there for
// the next instead of being spilled to the WAL and read back (about 5% of a large import).
// 8 MiB keeps the peak RSS far under the 64 MiB the issue asks for.
class CacheSize {
 public:
  explicit CacheSize(store::Db& db) : db_(db) {
    auto st = db.prepare("PRAGMA cache_size");
    st.step();
    old_ = st.int64(0);
    db.exec("PRAGMA cache_size = -8192");
  }
  ~CacheSize() {
    try {
      db_.exec(fmt::format("PRAGMA cache_size = {}", old_));
    } catch (...) {
    }
  }
  CacheSize(const CacheSize&) = delete;
  CacheSize& operator=(const CacheSize&) = delete;

 private:
  store::Db& db_;
  std::int64_t old_ = 0;
};

}  // namespace

std::string_view to_string(RowOutcome outcome) {
  switch (outcome) {
    case RowOutcome::added:
      return "added";
    case RowOutcome::updated:
      return "updated";
    case RowOutcome::already_there:
      return "already there";
    case RowOutcome::invalid:
      break;
  }
  return "invalid";
}

ImportSummary import_clients(store::Db& db, const Actor& actor, csv::Reader& reader, const ImportOptions& options,
                             Time now) {
  std::optional<Layout> given;
  if (options.columns) given = detail::parse_columns(*options.columns);
  ImportSummary summary;
  CacheSize cache(db);
  store::Transaction tx(db);
  Importer importer(db, actor, options, summary, now);
  Layout layout;
  csv::Record record;
  bool started = false;
  try {
    while (reader.next(record)) {
      if (!started) {
        started = true;
        std::tie(layout, summary.header) = detail::read_layout(record, given, summary);
        if (summary.header) continue;
      }
      importer.row(record, layout);
    }
  } catch (const Error& e) {
    // The reader's and the header's errors name a line; the file's name goes first.
    if (e.code() != Errc::data) throw;
    throw Error(Errc::data, fmt::format("{}: {}", options.source, e.what()), e.hint());
  }
  if (!started)
    throw Error(Errc::data, fmt::format("{}: empty file", options.source),
                "the first line must be the header email,name,comment, or the file a list of addresses");
  summary.encoding = reader.encoding();
  importer.check();
  importer.finish();
  tx.commit();
  return summary;
}

ImportSummary import_clients(store::Db& db, const Actor& actor, std::string_view csv_text, std::string_view source,
                             const std::optional<std::string>& group, bool skip_invalid, Time now) {
  csv::StringSource input(csv_text);
  csv::Reader reader(input);
  ImportOptions options;
  options.source = std::string(source);
  options.group = group;
  options.skip_invalid = skip_invalid;
  return import_clients(db, actor, reader, options, now);
}

}  // namespace mailer
