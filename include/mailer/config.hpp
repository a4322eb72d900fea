#pragma once
// The typed configuration of SPEC §5, read once from mailer.toml; flags override it.
#include <optional>
#include <string>

namespace mailer {

struct SmtpConfig {
  std::string url = "smtp://127.0.0.1:25";
  std::string username;
  std::string password_env = "MAILER_SMTP_PASSWORD";
  std::string from = "Shop <news@example.com>";
  int connections = 4;
  double rate_per_second = 0;
  long timeout_s = 30;
  std::string ca_file;  // PEM certificates to trust instead of the system's; absolute, or ""
};

struct ImapConfig {
  std::string url;
  std::string username;
  std::string password_env = "MAILER_IMAP_PASSWORD";
};

struct Config {
  std::string file;       // the file it was read from; empty when none exists (defaults)
  std::string db_path;    // absolute or relative to the working directory, resolved
  SmtpConfig smtp;
  int max_tries = 5;
  std::string tracking_base_url;
  ImapConfig imap;
};

// Where the config file is: the flag, else MAILER_CONFIG, else
// $XDG_CONFIG_HOME/mailer/mailer.toml (~/.config when unset). `explicit_choice` tells whether
// the user named it (then it must exist).
struct ConfigLocation {
  std::string path;
  bool explicit_choice = false;
};
ConfigLocation locate_config(const std::optional<std::string>& flag);

// Reads and validates the file (a missing default file gives the defaults). The database path:
// --db flag, else MAILER_DB, else [database] path relative to the file, else
// $XDG_DATA_HOME/mailer/mailer.db. Throws Error{Errc::config, "<file>:<line>: <key>: <what>"}.
Config load_config(const std::optional<std::string>& config_flag, const std::optional<std::string>& db_flag);

// Parses TOML text (for tests); `file` names it in errors and anchors relative paths.
Config parse_config(const std::string& text, const std::string& file);

// The SMTP password from the environment variable the config names ("" when unset).
std::string smtp_password(const Config& config);

}  // namespace mailer
