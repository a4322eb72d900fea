#pragma once
// The crontab line that runs the sender every minute, and idempotent edits of a crontab's text
// (SPEC §2 `mailer cron`). The command in the line is the CLI's (cli/cron_line.hpp).
#include <string>

#include "mailer/core/environment.hpp"

namespace mailer::cron {

// Quotes a word for /bin/sh (crontab runs lines with sh).
std::string shell_quote(const std::string& word);

// The marker comment that identifies our line for this config/database.
std::string marker(const std::string& config_path, const std::string& db_path);

// "* * * * * <command> >> '<log>' 2>&1 <marker>": `command` is run every minute (already
// quoted for sh), its output appended to the log.
std::string line(const std::string& command, const std::string& log_path, const std::string& marker);

// True when the crontab holds exactly this line.
bool has_line(const std::string& crontab, const std::string& line);

// The crontab text with our line added or replaced (other lines untouched); `changed` tells
// whether anything differs.
std::string with_line(const std::string& crontab, const std::string& line, const std::string& marker,
                      bool& changed);

// The crontab text without our line.
std::string without_line(const std::string& crontab, const std::string& marker, bool& changed);

// Reads the user's crontab through `crontab -l` ("" when there is none).
std::string read_crontab(const Environment& env);
// Replaces it through `crontab -`. The program is $MAILER_CRONTAB (env.crontab) or `crontab`.
void write_crontab(const std::string& text, const Environment& env);

// The absolute path of the running binary.
std::string self_path();

}  // namespace mailer::cron
