// The bulk path of `client import` (SQL, both drivers). Duplicates are found through the unique index on
// (owner, email_key, key_dup), among the clients already there and those added by earlier
// rows. New addresses go in batches: one INSERT of many rows, which the index refuses for the
// addresses already there; those are then looked up one by one. A file seen before is mostly
// addresses already there, so after a batch of them each row is looked up first. The group
// membership of all new clients is written at the end in one pass over their (increasing) ids.
#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "clients.hpp"
#include "mailer/base/validate.hpp"

namespace mailer::store::sql {
namespace {

constexpr std::size_t kBatch = 64;

std::string batch_sql(std::size_t rows) {
  std::string sql = "INSERT INTO client (owner, email, email_key, name, comment, created_at) VALUES ";
  for (std::size_t i = 0; i < rows; ++i) sql += i ? ",(?,?,?,?,?,?)" : "(?,?,?,?,?,?)";
  return sql + " ON CONFLICT DO NOTHING RETURNING email_key";
}

// A larger page cache while importing: index pages written by one row are still there for
// the next instead of being spilled to the WAL and read back (about 5% of a large import).
// 8 MiB keeps the peak RSS far under the 64 MiB the issue asks for. SQLite only.
class CacheSize {
 public:
  explicit CacheSize(SqlConnection& db) : db_(db) {
    if (db.dialect() != Dialect::sqlite) return;
    auto st = db.prepare("PRAGMA cache_size");
    st.step();
    old_ = st.int64(0);
    st.reset();
    db.exec("PRAGMA cache_size = -8192");
  }
  ~CacheSize() {
    if (db_.dialect() != Dialect::sqlite) return;
    try {
      db_.exec(fmt::format("PRAGMA cache_size = {}", old_));
    } catch (...) {
    }
  }
  CacheSize(const CacheSize&) = delete;
  CacheSize& operator=(const CacheSize&) = delete;

 private:
  SqlConnection& db_;
  std::int64_t old_ = 0;
};

class SqlClientImport final : public ClientImport {
 public:
  SqlClientImport(SqlConnection& db, Id owner, std::optional<Id> group, Time now)
      : cache_(db),
        db_(db),
        owner_(owner),
        group_(group),
        now_(now),
        find_(db.prepare(
            "SELECT id, name, comment FROM client WHERE owner = ? AND email_key = ? ORDER BY key_dup "
            "LIMIT 1")),
        insert_(db.prepare("INSERT INTO client (owner, email, email_key, name, comment, created_at) "
                           "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")),
        update_(db.prepare("UPDATE client SET name = ?, comment = ? WHERE id = ?")),
        member_(db.prepare(
            "INSERT INTO group_member (group_id, client_id) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
    auto last = db.prepare("SELECT coalesce(max(id), 0) FROM client");
    last.step();
    last_before_ = last.int64(0);
    last.reset();
    // A pair kept apart by migration 003 may have lost its key_dup = 0 row, which the INSERT
    // would not then run into: such owners look every address up first.
    auto dups = db.prepare("SELECT 1 FROM client WHERE owner = ? AND key_dup <> 0 LIMIT 1");
    dups.bind(1, owner);
    look_up_first_ = dups.step();
    dups.reset();
    keys_.resize(kBatch);
  }

  std::size_t batch_size() const override { return kBatch; }

  void write(std::span<const ClientFields> rows, std::span<RowOutcome> outcomes) override {
    std::size_t batch_start = 0, batched = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (look_up_first_ || found_last_) {
        outcomes[i] = write_one(rows[i], email_key(rows[i].email));
        continue;
      }
      if (batched == 0) batch_start = i;
      keys_[batched++] = email_key(rows[i].email);
      if (batched == kBatch) {
        insert_batch(rows.subspan(batch_start, batched), outcomes.subspan(batch_start, batched));
        batched = 0;
      }
    }
    if (batched) insert_batch(rows.subspan(batch_start, batched), outcomes.subspan(batch_start, batched));
  }

  void finish() override {
    if (!group_) return;
    db_.prepare(
           "INSERT INTO group_member (group_id, client_id) SELECT ?, id FROM client WHERE id > ? "
           "ON CONFLICT DO NOTHING")
        .bind_all(*group_, last_before_)
        .run();
  }

 private:
  // Inserts rows[i] (with keys_[i]) in one statement; those the index refused are written
  // one by one.
  void insert_batch(std::span<const ClientFields> rows, std::span<RowOutcome> outcomes) {
    auto& slot = batch_inserts_[rows.size() - 1];
    if (!slot) slot.emplace(db_.prepare(batch_sql(rows.size())));
    Statement& insert = *slot;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const int at = static_cast<int>(i * 6);
      insert.bind(at + 1, owner_)
          .bind(at + 2, rows[i].email)
          .bind(at + 3, keys_[i])
          .bind(at + 4, rows[i].name);
      insert.bind(at + 5, rows[i].comment).bind(at + 6, now_);
    }
    returned_.clear();
    while (insert.step()) returned_.push_back(insert.text(0));
    insert.reset();
    std::sort(returned_.begin(), returned_.end());
    taken_.assign(returned_.size(), false);
    std::size_t refused = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      // The first row of a key in the batch is the one inserted; later ones were refused.
      const auto it = std::lower_bound(returned_.begin(), returned_.end(), keys_[i]);
      const auto at = static_cast<std::size_t>(it - returned_.begin());
      if (it != returned_.end() && *it == keys_[i] && !taken_[at]) {
        taken_[at] = true;
        outcomes[i] = RowOutcome::added;
        continue;
      }
      ++refused;
      outcomes[i] = write_one(rows[i], keys_[i]);
    }
    found_last_ = refused * 2 > rows.size();
  }

  // One row, looked up first.
  RowOutcome write_one(const ClientFields& row, const std::string& key) {
    find_.bind_all(owner_, key);
    if (!find_.step()) {
      find_.reset();
      found_last_ = false;
      insert_.bind_all(owner_, row.email, key, row.name, row.comment, now_);
      insert_.run();
      return RowOutcome::added;
    }
    found_last_ = true;
    const Id id = find_.int64(0);
    // An empty field keeps what the client has.
    const std::string old_name = find_.text(1);
    const std::string old_comment = find_.text(2);
    find_.reset();
    const std::string_view new_name = row.name.empty() ? std::string_view(old_name) : row.name;
    const std::string_view new_comment = row.comment.empty() ? std::string_view(old_comment) : row.comment;
    RowOutcome outcome = RowOutcome::already_there;
    if (new_name != old_name || new_comment != old_comment) {
      update_.bind_all(new_name, new_comment, id);
      update_.run();
      outcome = RowOutcome::updated;
    }
    if (group_ && id <= last_before_) {
      member_.bind_all(*group_, id);
      member_.run();
    }
    return outcome;
  }

  CacheSize cache_;
  SqlConnection& db_;
  Id owner_;
  std::optional<Id> group_;
  Time now_;
  Statement find_, insert_, update_, member_;
  std::array<std::optional<Statement>, kBatch> batch_inserts_;
  Id last_before_ = 0;
  bool look_up_first_ = false;
  bool found_last_ = false;
  std::vector<std::string> keys_;
  std::vector<std::string> returned_;
  std::vector<bool> taken_;
};

}  // namespace

std::unique_ptr<ClientImport> make_client_import(SqlConnection& db, Id owner, std::optional<Id> group,
                                                 Time now) {
  return std::make_unique<SqlClientImport>(db, owner, group, now);
}

}  // namespace mailer::store::sql
