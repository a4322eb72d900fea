#pragma once
// What every command shares: global options, and the config, database and session, each
// opened on first use so that `--help` and bad usage touch nothing.
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "mailer/core/config.hpp"
#include "mailer/core/users.hpp"
#include "mailer/store/sql/connection.hpp"
#include "process_environment.hpp"

namespace mailer::cli {

struct GlobalOptions {
  std::optional<std::string> config;
  std::optional<std::string> db;
  bool json = false;
  bool quiet = false;
  bool verbose = false;
};

class Context {
 public:
  GlobalOptions options;
  // Read once; the layers below get it as values.
  Environment env = read_environment();

  const Config& config();
  store::SqlConnection& db();
  // The logged-in user; Error{permission} (77) without a live session.
  const User& user();
  Actor actor() { return user().actor(); }
  // The logged-in user's actor when there is a live session, none otherwise: for what anyone
  // may read (the blog), where a stale session file is no error.
  std::optional<Actor> reader();
  Time now();
  // The system clock, whatever MAILER_NOW says: for session ages. MAILER_NOW simulates the
  // schedule (tests, a cron dry run months ahead), which must not log the operator out, nor
  // make an old session young.
  Time wall_clock() const;

  // Output is collected and written once by main (data to stdout, diagnostics to stderr).
  std::string out;
  int exit_code = 0;
  void print_json(const nlohmann::json& value);
  // A line for humans on stderr unless --quiet.
  void note(const std::string& line);

 private:
  std::optional<Config> config_;
  std::unique_ptr<store::SqlConnection> db_;
  std::optional<User> user_;
  std::optional<Time> now_;
};

// Reads a password: one line from stdin with --password-stdin, else a prompt on the terminal
// without echo (twice when `confirm`). Error{usage} when there is no terminal to ask on.
std::string read_password(bool from_stdin, bool confirm);

// Reads a whole file, or stdin for "-". Error{not_found} naming the file.
std::string read_file(const std::string& path);

// Says once on stderr which clients or groups differ only in case (migration 003); client.cpp.
void report_case_duplicates(store::Database& db, Time now);

// The noun registrars, one file each.
void register_init(CLI::App& app, Context& ctx);
void register_user(CLI::App& app, Context& ctx);
void register_client(CLI::App& app, Context& ctx);
void register_group(CLI::App& app, Context& ctx);
void register_message(CLI::App& app, Context& ctx);
void register_mailing(CLI::App& app, Context& ctx);
void register_send(CLI::App& app, Context& ctx);
void register_report(CLI::App& app, Context& ctx);
void register_cron(CLI::App& app, Context& ctx);
void register_db(CLI::App& app, Context& ctx);
void register_serve(CLI::App& app, Context& ctx);
void register_blog(CLI::App& app, Context& ctx);
void register_bounces(CLI::App& app, Context& ctx);

}  // namespace mailer::cli
