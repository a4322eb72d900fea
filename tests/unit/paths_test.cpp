// Issue 8 §9: where mailer's files go without HOME, and the private directory of sessions.
#include <doctest/doctest.h>

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "mailer/base/error.hpp"
#include "mailer/core/environment.hpp"
#include "mailer/core/paths.hpp"
#include "test_support.hpp"

using namespace mailer;
using mailer::test::code_of;
using mailer::test::TempDir;
namespace fs = std::filesystem;

TEST_CASE("paths: without HOME the home is the user's entry in the password database, never /tmp") {
  Environment env;                        // no HOME, no XDG_DATA_HOME
  env.xdg_state_home = "relative/state";  // the XDG spec: a relative path is ignored
  const std::string pw_dir = ::getpwuid(::getuid())->pw_dir;
  CHECK(paths::home_dir(env) == pw_dir);
  CHECK(paths::data_home(env) == pw_dir + "/.local/share");
  CHECK(paths::state_home(env) == pw_dir + "/.local/state");
}

TEST_CASE("paths: XDG variables that are absolute win over HOME") {
  Environment env;
  env.home = "/home/ann";
  env.xdg_config_home = "/etc/xdg-ann";
  CHECK(paths::config_home(env) == "/etc/xdg-ann");
  CHECK(paths::state_home(env) == "/home/ann/.local/state");
}

TEST_CASE("paths: a private directory is made 0700 and its files replaced atomically, mode 0600") {
  TempDir t("mailer-paths-test");
  const std::string dir = (t.path / "a" / "b").string();
  CHECK_FALSE(paths::PrivateDir::open(dir, false).has_value());
  auto d = paths::PrivateDir::open(dir, true);
  REQUIRE(d.has_value());
  struct stat st {};
  REQUIRE(::stat(dir.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  d->write("f", "one\n");
  d->write("f", "two\n");
  CHECK(d->read("f", 100) == std::optional<std::string>("two\n"));
  CHECK(d->read("f", 2) == std::optional<std::string>("tw"));
  REQUIRE(::stat((dir + "/f").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 1);  // no temporary left
  d->remove("f");
  CHECK_FALSE(d->read("f", 100).has_value());
}

TEST_CASE("paths: a directory writable by others, or a symlink, is refused; a symlinked file is not read") {
  TempDir t("mailer-paths-test");
  const fs::path open_dir = t.path / "open";
  fs::create_directories(open_dir);
  ::chmod(open_dir.c_str(), 0777);
  CHECK(code_of([&] { paths::PrivateDir::open(open_dir.string(), false); }) == Errc::permission);
  ::chmod(open_dir.c_str(), 0700);
  CHECK(code_of([&] { paths::PrivateDir::open(open_dir.string(), false); }) == Errc::ok);
  fs::create_directory_symlink(open_dir, t.path / "link");
  CHECK(code_of([&] { paths::PrivateDir::open((t.path / "link").string(), true); }) == Errc::permission);

  std::ofstream(t.path / "victim") << "precious";
  fs::create_symlink(t.path / "victim", open_dir / "f");
  auto d = paths::PrivateDir::open(open_dir.string(), false);
  CHECK(code_of([&] { d->read("f", 100); }) == Errc::permission);
  d->write("f", "token\n");  // replaces the link, not what it points to
  CHECK_FALSE(fs::is_symlink(open_dir / "f"));
  std::ifstream victim(t.path / "victim");
  std::string text;
  std::getline(victim, text);
  CHECK(text == "precious");
}
