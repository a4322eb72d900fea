#pragma once
// The command of the crontab line (core/cron.hpp makes the line around it): the CLI's words.
#include <string>

namespace mailer::cli {

// "'<binary>' [--config '<config>'] --db '<db>' --log-timestamps send --due --quiet-idle",
// quoted for sh: every line of its log starts with its time, and an idle tick writes none.
std::string cron_command(const std::string& binary, const std::string& config_path, bool config_exists,
                         const std::string& db_path);

}  // namespace mailer::cli
