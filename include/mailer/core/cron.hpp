#pragma once
// The crontab line that runs `mailer send --due` every minute, and idempotent edits of a
// crontab's text (SPEC §2 `mailer cron`).
#include <string>

namespace mailer::cron {

// Quotes a word for /bin/sh (crontab runs lines with sh).
std::string shell_quote(const std::string& word);

// The marker comment that identifies our line for this config/database.
std::string marker(const std::string& config_path, const std::string& db_path);

// "* * * * * '<binary>' [--config '<config>'] --db '<db>' --log-timestamps send --due
//  >> '<log>' 2>&1 # <marker>": every line of the log starts with its time.
std::string line(const std::string& binary, const std::string& config_path, bool config_exists,
                 const std::string& db_path, const std::string& log_path);

// True when the crontab holds exactly this line.
bool has_line(const std::string& crontab, const std::string& line);

// The crontab text with our line added or replaced (other lines untouched); `changed` tells
// whether anything differs.
std::string with_line(const std::string& crontab, const std::string& line, const std::string& marker,
                      bool& changed);

// The crontab text without our line.
std::string without_line(const std::string& crontab, const std::string& marker, bool& changed);

// Reads the user's crontab through `crontab -l` ("" when there is none).
std::string read_crontab();
// Replaces it through `crontab -`. The program is $MAILER_CRONTAB or `crontab`.
void write_crontab(const std::string& text);

// The absolute path of the running binary.
std::string self_path();

}  // namespace mailer::cron
