#pragma once
// Where mailer keeps its files (XDG base directories), and a private directory handle for the
// files that hold secrets (sessions): checked once, then used only through its descriptor.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "mailer/base/unique_fd.hpp"
#include "mailer/core/environment.hpp"

namespace mailer::paths {

// $HOME (env.home) when it is an absolute path, else the home of the real user in the password
// database (a cron job or `env -i` has no HOME). Error{config} when neither is known.
std::string home_dir(const Environment& env);

// $XDG_CONFIG_HOME, $XDG_DATA_HOME, $XDG_STATE_HOME when absolute (the XDG spec says to
// ignore relative ones), else ~/.config, ~/.local/share, ~/.local/state.
std::string config_home(const Environment& env);
std::string data_home(const Environment& env);
std::string state_home(const Environment& env);

// Creates `dir` and its missing parents with mode 0700 (an existing one is left as it is).
// Error{io_error} naming the directory when that fails.
void make_dirs(const std::string& dir);

// A directory that only its owner may change: not a symlink, a directory, owned by the
// effective user, writable by nobody else. Files in it are opened relative to its descriptor,
// never through a symlink, and replaced by an exclusively created temporary file + rename, so
// another local user can neither plant nor redirect them.
class PrivateDir {
 public:
  // Opens `dir`, creating it (and its parents, 0700) when `create` is set. nullopt when it does
  // not exist and `create` is not set. Error{permission} when it is not private as above.
  static std::optional<PrivateDir> open(const std::string& dir, bool create);

  // The content of regular file `name` (at most `max_size` bytes), nullopt when it does not
  // exist. Error{permission} for a symlink, a file that is not regular or not the owner's.
  std::optional<std::string> read(const std::string& name, std::size_t max_size) const;
  // Replaces `name` with `content`, mode 0600, atomically. Error{io_error} when it cannot.
  void write(const std::string& name, std::string_view content) const;
  // Removes `name` when it exists.
  void remove(const std::string& name) const;
  const std::string& path() const { return path_; }

 private:
  PrivateDir(UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}
  UniqueFd fd_;
  std::string path_;
};

}  // namespace mailer::paths
