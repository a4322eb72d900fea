#include "process_environment.hpp"

#include <cstdlib>

namespace mailer::cli {
namespace {

std::string value_of(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

}  // namespace

Environment read_environment() {
  Environment env;
  env.config = value_of("MAILER_CONFIG");
  env.db = value_of("MAILER_DB");
  env.token = value_of("MAILER_TOKEN");
  env.crontab = value_of("MAILER_CRONTAB");
  env.home = value_of("HOME");
  env.xdg_config_home = value_of("XDG_CONFIG_HOME");
  env.xdg_data_home = value_of("XDG_DATA_HOME");
  env.xdg_state_home = value_of("XDG_STATE_HOME");
  env.variable = [](const std::string& name) -> std::optional<std::string> {
    const char* value = name.empty() ? nullptr : std::getenv(name.c_str());
    if (!value) return std::nullopt;
    return std::string(value);
  };
  return env;
}

}  // namespace mailer::cli
