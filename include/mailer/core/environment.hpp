#pragma once
// What the process's environment says, read once by the CLI (src/cli/process_environment.cpp) and passed
// down as values: nothing below the CLI calls getenv, so a test says the environment it means.
#include <functional>
#include <optional>
#include <string>

namespace mailer {

struct Environment {
  // Each is the variable's value, "" when it is unset (an empty one counts as unset).
  std::string config;           // MAILER_CONFIG: the config file when --config is not given
  std::string db;               // MAILER_DB: the database when --db is not given
  std::string token;            // MAILER_TOKEN: a session token instead of the session file
  std::string crontab;          // MAILER_CRONTAB: the crontab program instead of `crontab`
  std::string home;             // HOME
  std::string xdg_config_home;  // XDG_CONFIG_HOME
  std::string xdg_data_home;    // XDG_DATA_HOME
  std::string xdg_state_home;   // XDG_STATE_HOME
  // Any other variable by name (the one smtp.password_env names): nullopt when unset, unlike
  // the fields above an empty value is given as "". Empty: every variable is unset.
  std::function<std::optional<std::string>(const std::string& name)> variable;
};

}  // namespace mailer
