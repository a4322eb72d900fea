#include "mailer/store/sqlite/run_claims.hpp"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "mailer/base/error.hpp"

namespace mailer::store {
namespace {

struct flock byte_lock(short type, std::int64_t run) {
  struct flock lock {};
  lock.l_type = type;
  lock.l_whence = SEEK_SET;
  lock.l_start = static_cast<off_t>(sqlite::SqliteRunClaimer::kRunLockBase + run);
  lock.l_len = 1;
  lock.l_pid = 0;  // OFD locks require 0
  return lock;
}

}  // namespace

sqlite::SqliteRunClaimer::SqliteRunClaimer(const std::string& db_path) {
  if (db_path.empty() || db_path == ":memory:") return;
  // Opened for writing because a write lock needs it; nothing is ever written through it.
  fd_.reset(::open(db_path.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd_)
    throw Error(Errc::internal,
                fmt::format("cannot open {} to claim runs: {}", db_path, std::strerror(errno)));
}

sqlite::SqliteRunClaimer::~SqliteRunClaimer() = default;

bool sqlite::SqliteRunClaimer::try_claim(std::int64_t run) {
  if (!fd_) return true;
  struct flock lock = byte_lock(F_WRLCK, run);
  if (::fcntl(fd_.get(), F_OFD_SETLK, &lock) == 0) return true;
  if (errno == EACCES || errno == EAGAIN) return false;
  throw Error(Errc::internal, fmt::format("cannot claim run {}: {}", run, std::strerror(errno)));
}

void sqlite::SqliteRunClaimer::release(std::int64_t run) {
  if (!fd_) return;
  struct flock lock = byte_lock(F_UNLCK, run);
  ::fcntl(fd_.get(), F_OFD_SETLK, &lock);
}

bool sqlite::SqliteRunClaimer::held(std::int64_t run) {
  if (!fd_) return false;
  struct flock lock = byte_lock(F_WRLCK, run);
  if (::fcntl(fd_.get(), F_OFD_GETLK, &lock) != 0)
    throw Error(Errc::internal, fmt::format("cannot probe run {}: {}", run, std::strerror(errno)));
  return lock.l_type != F_UNLCK;
}

std::string canonical_db_path(const std::string& db_path) {
  if (db_path.empty() || db_path == ":memory:") return db_path;
  char resolved[PATH_MAX];
  if (::realpath(db_path.c_str(), resolved) == nullptr) return db_path;
  return resolved;
}

}  // namespace mailer::store
