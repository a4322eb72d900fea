#pragma once
// SQLite's run claim (SPEC §3): a claim bound to the database file itself, so that every path
// that reaches it (symlinks, hard links, "..", bind mounts) shares one claim, and released by
// the kernel the moment its holder dies, so a dead sender's run is taken over at once rather
// than after a timeout. It cannot be common with PostgreSQL (advisory locks there).
#include <cstdint>
#include <string>

#include "mailer/base/unique_fd.hpp"
#include "mailer/store/runs.hpp"

namespace mailer::store {
namespace sqlite {

// An open-file-description lock (F_OFD_SETLK) on byte kRunLockBase + run of the database
// file. OFD locks belong to this object's own descriptor, so SQLite closing its descriptors
// never drops them, and they lie far beyond the bytes SQLite locks.
class SqliteRunClaimer final : public RunClaimer {
 public:
  // `db_path` is the database file; "" or ":memory:" means one process only: every claim holds.
  explicit SqliteRunClaimer(const std::string& db_path);
  ~SqliteRunClaimer() override;
  SqliteRunClaimer(const SqliteRunClaimer&) = delete;
  SqliteRunClaimer& operator=(const SqliteRunClaimer&) = delete;

  // True when this process now holds the run; false when another live holder has it.
  bool try_claim(std::int64_t run) override;
  // Gives the run up (nothing when not held).
  void release(std::int64_t run) override;
  // True when a live holder other than this object has the run, without claiming it.
  bool held(std::int64_t run) override;

  static constexpr std::int64_t kRunLockBase = std::int64_t{1} << 40;

 private:
  UniqueFd fd_;  // empty for a database in memory
};

}  // namespace sqlite

// The name the claim had before the claim became an interface of the store.
using RunClaims = sqlite::SqliteRunClaimer;

// The database file's canonical path (symlinks and ".." resolved), beside which a sender keeps
// its files; the path itself when it cannot be resolved (":memory:").
std::string canonical_db_path(const std::string& db_path);

}  // namespace mailer::store
