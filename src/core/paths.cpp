#include "mailer/core/paths.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include "mailer/base/encoding.hpp"
#include "mailer/base/error.hpp"
#include "mailer/base/unique_fd.hpp"

namespace mailer::paths {
namespace {

bool is_absolute(const std::string& path) { return path.starts_with('/'); }

std::string xdg(const Environment& env, const std::string& variable, const char* fallback) {
  if (is_absolute(variable)) return variable;
  return home_dir(env) + fallback;
}

// Why `st` is not a directory only its owner may change, or nullptr when it is one.
const char* private_dir_problem(const struct stat& st) {
  if (S_ISLNK(st.st_mode)) return "a symbolic link";
  if (!S_ISDIR(st.st_mode)) return "not a directory";
  if (st.st_uid != ::geteuid()) return "owned by another user";
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) return "writable by other users";
  return nullptr;
}

[[noreturn]] void refuse_dir(const std::string& dir, const char* why) {
  throw Error(Errc::permission, fmt::format("directory {} is {}", dir, why),
              "it holds your sessions: it must be a directory of yours that only you can write "
              "(remove it, or chmod 700 it)");
}

}  // namespace

std::string home_dir(const Environment& env) {
  if (is_absolute(env.home)) return env.home;
  // getpwuid_r with a buffer of the size the system suggests.
  long suggested = ::sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buffer(suggested > 0 ? static_cast<std::size_t>(suggested) : 16384);
  struct passwd pw {};
  struct passwd* found = nullptr;
  if (::getpwuid_r(::getuid(), &pw, buffer.data(), buffer.size(), &found) == 0 && found && found->pw_dir &&
      found->pw_dir[0] == '/')
    return found->pw_dir;
  throw Error(Errc::config, "cannot tell your home directory: HOME is not set and the user has no entry",
              "set HOME, or XDG_CONFIG_HOME, XDG_DATA_HOME and XDG_STATE_HOME");
}

std::string config_home(const Environment& env) { return xdg(env, env.xdg_config_home, "/.config"); }
std::string data_home(const Environment& env) { return xdg(env, env.xdg_data_home, "/.local/share"); }
std::string state_home(const Environment& env) { return xdg(env, env.xdg_state_home, "/.local/state"); }

void make_dirs(const std::string& dir) {
  for (std::size_t slash = dir.find('/', 1);; slash = dir.find('/', slash + 1)) {
    std::string prefix = dir.substr(0, slash);
    if (!prefix.empty() && ::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST)
      throw Error(Errc::io_error, fmt::format("cannot create directory {}: {}", prefix, std::strerror(errno)),
                  "check the permissions of its parent");
    if (slash == std::string::npos) return;
  }
}

std::optional<PrivateDir> PrivateDir::open(const std::string& dir, bool create) {
  struct stat before {};
  if (::lstat(dir.c_str(), &before) != 0) {
    if (errno != ENOENT)
      throw Error(Errc::io_error, fmt::format("cannot read directory {}: {}", dir, std::strerror(errno)));
    if (!create) return std::nullopt;
    make_dirs(dir);
    if (::lstat(dir.c_str(), &before) != 0)
      throw Error(Errc::io_error, fmt::format("cannot read directory {}: {}", dir, std::strerror(errno)));
  }
  if (const char* why = private_dir_problem(before)) refuse_dir(dir, why);
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0)
    throw Error(Errc::io_error, fmt::format("cannot open directory {}: {}", dir, std::strerror(errno)));
  // The one checked is the one opened: not swapped for another between lstat and open.
  struct stat opened {};
  if (::fstat(fd.get(), &opened) != 0 || opened.st_dev != before.st_dev || opened.st_ino != before.st_ino)
    refuse_dir(dir, "being replaced while mailer opens it");
  if (const char* why = private_dir_problem(opened)) refuse_dir(dir, why);
  return PrivateDir(std::move(fd), dir);
}

std::optional<std::string> PrivateDir::read(const std::string& name, std::size_t max_size) const {
  UniqueFd fd(::openat(fd_.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  const std::string path = path_ + "/" + name;
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::nullopt;
    if (errno == ELOOP)
      throw Error(Errc::permission, fmt::format("{} is a symbolic link", path), "remove it");
    throw Error(Errc::io_error, fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid())
    throw Error(Errc::permission, fmt::format("{} is not a file of yours", path), "remove it");
  std::string content(max_size, '\0');
  std::size_t got = 0;
  while (got < max_size) {
    ssize_t n = ::read(fd.get(), content.data() + got, max_size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error(Errc::io_error, fmt::format("cannot read {}: {}", path, std::strerror(errno)));
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  content.resize(got);
  return content;
}

void PrivateDir::write(const std::string& name, std::string_view content) const {
  // A new name each time: O_EXCL then never meets a leftover of a crash, nor a planted link.
  std::string tmp = fmt::format(".{}.{}.tmp", name, random_hex(8));
  const std::string path = path_ + "/" + name;
  auto fail = [&](const char* doing) {
    int saved = errno;
    ::unlinkat(fd_.get(), tmp.c_str(), 0);
    throw Error(Errc::io_error, fmt::format("cannot {} {}: {}", doing, path, std::strerror(saved)),
                "check the free space and permissions there");
  };
  UniqueFd fd(::openat(fd_.get(), tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd.get() < 0)
    throw Error(Errc::io_error, fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  std::size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("write");
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) fail("write");
  if (fd.close() != 0) fail("write");
  if (::renameat(fd_.get(), tmp.c_str(), fd_.get(), name.c_str()) != 0) fail("replace");
}

void PrivateDir::remove(const std::string& name) const { ::unlinkat(fd_.get(), name.c_str(), 0); }

}  // namespace mailer::paths
