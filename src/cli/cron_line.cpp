#include "cron_line.hpp"

#include "mailer/core/cron.hpp"

namespace mailer::cli {

std::string cron_command(const std::string& binary, const std::string& config_path, bool config_exists,
                         const std::string& db_path) {
  std::string cmd = cron::shell_quote(binary);
  if (config_exists) cmd += " --config " + cron::shell_quote(config_path);
  cmd += " --db " + cron::shell_quote(db_path);
  cmd += " --log-timestamps send --due --quiet-idle";
  return cmd;
}

}  // namespace mailer::cli
