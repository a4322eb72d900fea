#include "context.hpp"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include <fmt/format.h>

#include "clock.hpp"
#include "mailer/base/error.hpp"
#include "mailer/base/time.hpp"
#include "mailer/base/unique_fd.hpp"
#include "mailer/core/paths.hpp"
#include "mailer/core/session_file.hpp"
#include "mailer/store/open_database.hpp"

namespace mailer::cli {

const Config& Context::config() {
  if (!config_) config_ = load_config(options.config, options.db, env);
  return *config_;
}

store::SqlConnection& Context::db() {
  if (!db_) {
    const Config& c = config();
    // The default database's folder is made with it; a path the user named must have one.
    if (c.db_default) paths::make_dirs(std::filesystem::path(c.db_path).parent_path().string());
    db_ = store::open_database(c.db_path, c.db_password);
    report_case_duplicates(*db_, now());
  }
  return *db_;
}

const User& Context::user() {
  if (!user_) {
    auto token = load_session_token(config().db_path, env);
    if (!token) throw Error(Errc::permission, "not logged in", "run `mailer login EMAIL`");
    auto u = session_user(db(), *token, wall_clock(), config().session_max_age_days);
    if (!u)
      throw Error(
          Errc::permission,
          fmt::format("session expired (after {} days), ended or blocked", config().session_max_age_days),
          "run `mailer login EMAIL` again");
    user_ = std::move(u);
  }
  return *user_;
}

std::optional<Actor> Context::reader() {
  if (user_) return user_->actor();
  auto token = load_session_token(config().db_path, env);
  if (!token) return std::nullopt;
  auto u = session_user(db(), *token, wall_clock(), config().session_max_age_days);
  if (!u) return std::nullopt;
  user_ = std::move(u);
  return user_->actor();
}

Time Context::now() {
  if (!now_) now_ = current_time();
  return *now_;
}

Time Context::wall_clock() const { return static_cast<Time>(std::time(nullptr)); }

void Context::print_json(const nlohmann::json& value) {
  out += value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  out += "\n";
}

void Context::note(const std::string& line) {
  if (!options.quiet) std::cerr << line << "\n";
}

std::string read_password(bool from_stdin, bool confirm) {
  std::string password;
  if (from_stdin) {
    if (!std::getline(std::cin, password))
      throw Error(Errc::usage, "--password-stdin: no password on standard input");
    if (!password.empty() && password.back() == '\r') password.pop_back();
    return password;
  }
  UniqueFile owned_tty(std::fopen("/dev/tty", "r+"));
  FILE* tty = owned_tty.get();
  if (!tty || !isatty(fileno(tty))) {
    throw Error(Errc::usage, "no terminal to ask for the password", "pipe it with --password-stdin");
  }
  auto ask = [&](const char* prompt) {
    std::fputs(prompt, tty);
    std::fflush(tty);
    termios old{};
    tcgetattr(fileno(tty), &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
    char buf[1100];
    std::string line = std::fgets(buf, sizeof buf, tty) ? buf : "";
    tcsetattr(fileno(tty), TCSAFLUSH, &old);
    std::fputs("\n", tty);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    return line;
  };
  password = ask("Password: ");
  if (confirm && ask("Repeat password: ") != password) throw Error(Errc::data, "the passwords do not match");
  return password;
}

std::string read_file(const std::string& path) {
  if (path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Errc::not_found, fmt::format("cannot read {}", path), "check the file name");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace mailer::cli
