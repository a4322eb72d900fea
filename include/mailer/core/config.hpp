#pragma once
// The typed configuration of SPEC §5, read once from mailer.toml; flags override it.
#include <cstddef>
#include <optional>
#include <string>

#include "mailer/core/environment.hpp"

namespace mailer {

// How the SMTP connection is encrypted (smtp.tls).
enum class TlsMode {
  starttls,  // smtp://: STARTTLS; required when a username is set, used when offered otherwise
  implicit,  // smtps://: TLS from the first byte
  none,      // smtp:// in clear, even with a username (the password then travels in clear)
};

struct SmtpConfig {
  std::string url = "smtp://127.0.0.1:25";
  TlsMode tls = TlsMode::starttls;  // when not set: implicit for smtps://, starttls for smtp://
  std::string username;
  std::string username_at;  // "<file>:<line>" of smtp.username, for errors found when sending
  std::string password_env = "MAILER_SMTP_PASSWORD";
  // The value of $password_env as load_config() found it: nullopt when unset. Read there, said
  // (or refused) only by smtp_password(), where SMTP is about to be used.
  std::optional<std::string> password;
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
  // The value of $password_env as load_config() found it (nullopt: unset); see imap_password().
  std::optional<std::string> password;
};

// Limits of config values: a string (any key), and tracking.base_url, which goes into the
// List-Unsubscribe header of every message (a header line has at most 998 octets).
constexpr std::size_t kMaxConfigString = 4096;
constexpr std::size_t kMaxBaseUrl = 200;

struct Config {
  std::string file;             // the file it was read from; empty when none exists (defaults)
  std::string db_path;          // an SQLite file (absolute, resolved) or a postgresql:// URL as given
  std::string db_password_env;  // database.password_env: the variable holding PostgreSQL's password
  std::string db_password;      // its value, read by load_config; never printed
  bool db_default = false;      // db_path is the XDG default: its directory is made when it is created
  SmtpConfig smtp;
  int max_tries = 5;
  int lease_s =
      120;  // send.lease_s: how long a worker of a shared run (PostgreSQL) keeps its recipients unheard from
  std::string return_path;        // send.return_path: VERP's base address, empty for smtp.from's
  int session_max_age_days = 30;  // a session older than this has expired
  int bounces_soft_limit = 3;     // bounces.soft_limit: soft bounces in a row that suppress an address
  std::string tracking_base_url;
  bool tracking_opens = true;   // tracking.opens: an open pixel in each HTML part
  bool tracking_clicks = true;  // tracking.clicks: http(s) links of the HTML part via a redirect
  ImapConfig imap;
};

// Where the config file is: the flag, else MAILER_CONFIG (env.config), else
// $XDG_CONFIG_HOME/mailer/mailer.toml (~/.config when unset). `explicit_choice` tells whether
// the user named it (then it must exist).
struct ConfigLocation {
  std::string path;
  bool explicit_choice = false;
};
ConfigLocation locate_config(const std::optional<std::string>& flag, const Environment& env);

// Reads and validates the file (a missing default file gives the defaults; a directory is an
// error). The database path: --db flag, else MAILER_DB (env.db), else [database] path relative
// to the file, else $XDG_DATA_HOME/mailer/mailer.db. Creates nothing. The SMTP password is
// looked up through env.variable. Throws Error{Errc::config, "<file>:<line>: <key>: <what>"}.
Config load_config(const std::optional<std::string>& config_flag, const std::optional<std::string>& db_flag,
                   const Environment& env);

// Parses TOML text (for tests); `file` names it in errors and anchors relative paths.
Config parse_config(const std::string& text, const std::string& file);

// The SMTP password (smtp.password, from the variable the config names); "" without a username.
// With a username, an unset or empty variable is Error{config}: call it only where SMTP is
// about to be used, so that the error comes before any connection.
std::string smtp_password(const Config& config);

// The IMAP server of `bounces fetch` (imap.url): Error{config} when imap.url is empty. Its
// password (imap.password, from the variable imap.password_env names): "" without a username;
// with one, an unset or empty variable is Error{config}.
std::string imap_password(const Config& config);

}  // namespace mailer
