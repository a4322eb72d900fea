// `mailer blog export DIR [--base-url URL]` (SPEC §2): the published posts as a static site
// (blog_site.cpp renders it). The site is written whole into a fresh directory beside DIR, then
// takes DIR's place in one rename, so that a reader (a browser, a web server) sees the old site
// or the new one, never a part of either. DIR is replaced only when it is missing, empty, or an
// earlier export (which holds kMarker); anything else is left untouched.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "blog_commands.hpp"
#include "blog_site.hpp"
#include "mailer/base/error.hpp"
#include "mailer/base/unique_fd.hpp"
#include "mailer/core/posts.hpp"
#include "mailer/core/url.hpp"

namespace mailer::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kMarker = ".mailer-blog-export";
constexpr std::chrono::milliseconds kGrace{200};
constexpr const char* kMarkerText =
    "This directory was written by `mailer blog export`: the next export replaces all of it.\n";

Error io_error(std::string_view what, const std::string& path, int err = errno) {
  return Error(Errc::io_error, fmt::format("cannot {} {}: {}", what, path, std::strerror(err)));
}

// The directory the site is built in, beside DIR; removed with all it holds unless kept.
class TempTree {
 public:
  explicit TempTree(std::string path) : path_(std::move(path)) {}
  ~TempTree() {
    std::error_code ignored;
    if (!path_.empty()) fs::remove_all(path_, ignored);
  }
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;
  const std::string& path() const { return path_; }
  void keep() { path_.clear(); }

 private:
  std::string path_;
};

void write_all(int fd, std::string_view bytes, const std::string& shown) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw io_error("write", shown);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

void write_file(int dir, const std::string& name, std::string_view bytes, const std::string& shown) {
  UniqueFd fd(::openat(dir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666));
  if (!fd) throw io_error("write", shown);
  write_all(fd.get(), bytes, shown);
  if (::fsync(fd.get()) != 0 || fd.close() != 0) throw io_error("write", shown);
}

// The site's files and the marker under the directory open as `root`, every file and directory
// synced to the disk before the caller renames the tree into place.
void write_tree(int root, const std::string& shown_root, const std::vector<SiteFile>& files) {
  std::map<std::string, UniqueFd> subdirs;  // "posts", "images"
  for (const SiteFile& file : files) {
    const std::string shown = shown_root + "/" + file.path;
    const std::size_t slash = file.path.find('/');
    int at = root;
    std::string name = file.path;
    if (slash != std::string::npos) {
      const std::string sub = file.path.substr(0, slash);
      name = file.path.substr(slash + 1);
      auto it = subdirs.find(sub);
      if (it == subdirs.end()) {
        if (::mkdirat(root, sub.c_str(), 0777) != 0) throw io_error("create", shown_root + "/" + sub);
        UniqueFd fd(::openat(root, sub.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!fd) throw io_error("open", shown_root + "/" + sub);
        it = subdirs.emplace(sub, std::move(fd)).first;
      }
      at = it->second.get();
    }
    write_file(at, name, file.bytes, shown);
  }
  write_file(root, kMarker, kMarkerText, shown_root + "/" + kMarker);
  for (const auto& [sub, fd] : subdirs)
    if (::fsync(fd.get()) != 0) throw io_error("write", shown_root + "/" + sub);
  if (::fsync(root) != 0) throw io_error("write", shown_root);
}

void sync_dir(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd || ::fsync(fd.get()) != 0) throw io_error("write", path);
}

bool holds_marker(const std::string& dir) {
  struct stat st {};
  return ::lstat((dir + "/" + kMarker).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

enum class Target { absent, empty, previous };

Error not_replaced(const std::string& shown, std::string_view why) {
  return Error(Errc::io_error, fmt::format("{} {}: not replaced", shown, why));
}

// What is at `path` now; Error{io_error} for what an export must not replace.
Target classify(const std::string& path, const std::string& shown) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Target::absent;
    throw io_error("read", shown);
  }
  if (!S_ISDIR(st.st_mode)) throw not_replaced(shown, "is not a directory");
  if (holds_marker(path)) return Target::previous;
  std::error_code ec;
  const bool empty = fs::is_empty(path, ec);
  if (ec) throw io_error("read", shown, ec.value());
  if (!empty)
    throw not_replaced(shown, fmt::format("is not empty and is no earlier export (it has no {})", kMarker));
  return Target::empty;
}

// DIR as an absolute path whose parent is free of symbolic links, and DIR itself followed when
// it is a link (the site replaces the directory a link points to, not the link).
std::string resolve_target(const std::string& dir) {
  std::error_code ec;
  fs::path path = fs::absolute(dir, ec).lexically_normal();
  if (ec) throw io_error("resolve", dir, ec.value());
  if (!path.has_filename()) path = path.parent_path();
  if (!path.has_filename() || path.filename() == "..")
    throw Error(Errc::usage, fmt::format("DIR '{}' names no directory an export can replace", dir));
  path = fs::weakly_canonical(path.parent_path(), ec) / path.filename();
  if (ec) throw io_error("resolve", dir, ec.value());
  if (fs::is_symlink(fs::symlink_status(path, ec))) {
    path = fs::canonical(path, ec);
    if (ec) throw io_error("resolve", dir, ec.value());
  }
  return path.string();
}

// The temporary tree takes DIR's place. Returns the path of what it replaced (to be removed),
// or "" when there was nothing.
std::string swap_in(TempTree& tree, const std::string& target, Target kind, const std::string& shown) {
  if (kind != Target::previous) {
    // rename(2) replaces an empty directory and fails on one that filled up meanwhile.
    if (::rename(tree.path().c_str(), target.c_str()) == 0) return {};
    if (errno == ENOTEMPTY || errno == EEXIST) throw not_replaced(shown, "is no longer empty");
    throw io_error("replace", shown);
  }
  if (::renameat2(AT_FDCWD, tree.path().c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) == 0) {
    // The tree now at the temporary path is the one DIR held: if it changed meanwhile into
    // something that is no export, it goes back.
    if (holds_marker(tree.path())) return tree.path();
    if (::renameat2(AT_FDCWD, tree.path().c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) != 0) {
      const std::string moved = tree.path();
      tree.keep();  // what DIR held is there now: never removed
      throw Error(Errc::io_error,
                  fmt::format("{} changed during the export; what it held is now in {}", shown, moved));
    }
    throw not_replaced(shown, "is no longer an earlier export");
  }
  if (errno != EINVAL && errno != ENOSYS) throw io_error("replace", shown);
  // A file system without RENAME_EXCHANGE (NFS, some FUSE): two renames, between which DIR
  // is missing for a moment.
  const fs::path t(target);
  std::string aside = (t.parent_path() / ("." + t.filename().string() + ".old-XXXXXX")).string();
  if (::mkdtemp(aside.data()) == nullptr) throw io_error("create", aside);
  if (::rename(target.c_str(), aside.c_str()) != 0) {
    const int err = errno;
    ::rmdir(aside.c_str());
    throw io_error("replace", shown, err);
  }
  if (::rename(tree.path().c_str(), target.c_str()) != 0) {
    const int err = errno;
    if (::rename(aside.c_str(), target.c_str()) != 0)
      throw Error(Errc::io_error, fmt::format("cannot replace {}: {}; the earlier export is now in {}", shown,
                                              std::strerror(err), aside));
    throw io_error("replace", shown, err);
  }
  return aside;
}

// Removes the tree DIR held before. A reader that opened DIR just before the swap still lists
// that tree: it is left whole for kGrace, then the files of its subdirectories go before its
// top-level entries, so that such a listing still finds the whole site. False when some of it
// could not be removed.
bool remove_old_tree(const std::string& path) {
  std::this_thread::sleep_for(kGrace);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(path, ec))
    if (entry.is_directory(ec) && !entry.is_symlink(ec))
      for (const auto& inner : fs::directory_iterator(entry.path(), ec)) fs::remove_all(inner.path(), ec);
  fs::remove_all(path, ec);
  return !ec && !fs::exists(fs::symlink_status(path, ec));
}

struct ExportResult {
  std::string dir;
  std::size_t posts = 0, files = 0;
  std::string leftover;  // an old tree that could not be removed
};

ExportResult export_site(const SiteInput& input, const std::string& dir) {
  const std::string target = resolve_target(dir);
  const Target kind = classify(target, dir);
  const std::vector<SiteFile> files = render_blog_site(input);

  const fs::path t(target);
  std::string temp = (t.parent_path() / ("." + t.filename().string() + ".export-XXXXXX")).string();
  if (::mkdtemp(temp.data()) == nullptr) throw io_error("create a directory beside", dir);
  TempTree tree(temp);
  const mode_t mask = ::umask(0);  // mkdtemp makes 0700; the site is as readable as a mkdir's
  ::umask(mask);
  if (::chmod(temp.c_str(), 0777 & ~mask) != 0) throw io_error("create", temp);
  {
    UniqueFd root(::open(temp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!root) throw io_error("open", temp);
    write_tree(root.get(), dir, files);
  }
  const std::string old = swap_in(tree, target, kind, dir);
  tree.keep();
  ExportResult result{target, input.posts.size(), files.size(), {}};
  if (!old.empty() && !remove_old_tree(old)) result.leftover = old;
  sync_dir(t.parent_path().string());
  return result;
}

struct ExportOptions {
  std::string dir;
  std::optional<std::string> base_url;
};

}  // namespace

void add_blog_export(CLI::App& blog, Context& ctx) {
  auto o = std::make_shared<ExportOptions>();
  auto* cmd = blog.add_subcommand(
      "export", "Write the published posts as a static site (index, pages, images, Atom feed) to DIR");
  cmd->add_option("DIR", o->dir,
                  "The site's directory: created, or replaced whole if empty or an earlier export")
      ->required();
  cmd->add_option("--base-url", o->base_url,
                  "The site's public address (http:// or https://) for the feed's absolute links");
  cmd->callback([&ctx, o] {
    SiteInput input;
    if (o->base_url) {
      input.base_url = normalize_base_url(*o->base_url);
      if (!input.base_url)
        throw Error(Errc::usage,
                    fmt::format("--base-url '{}' is not an absolute http:// or https:// URL with a "
                                "host (and no user, query or fragment)",
                                redact_url(*o->base_url)));
    }
    input.exported_at = ctx.now();
    auto& db = ctx.db();
    for (Post& post : list_posts(db, std::nullopt, false)) {
      SitePost sp{std::move(post), std::nullopt};
      if (sp.post.image_type) sp.image = post_image(db, std::nullopt, sp.post.id);
      input.posts.push_back(std::move(sp));
    }
    const ExportResult r = export_site(input, o->dir);
    if (!r.leftover.empty())
      ctx.note(fmt::format("warning: the previous export, moved to {}, could not be removed", r.leftover));
    if (ctx.options.json) {
      ctx.print_json({{"dir", r.dir}, {"posts", r.posts}, {"files", r.files}});
      return;
    }
    ctx.out += fmt::format("Exported {} post{} to {} ({} files)\n", r.posts, r.posts == 1 ? "" : "s", o->dir,
                           r.files);
  });
}

}  // namespace mailer::cli
