#pragma once
// Where a login's token is kept: one file per database under $XDG_STATE_HOME/mailer/, mode 0600.
#include <optional>
#include <string>

#include "mailer/config.hpp"
#include "mailer/users.hpp"

namespace mailer {

// $XDG_STATE_HOME/mailer/session-<hash of the database path> (~/.local/state when unset).
std::string session_file_path(const std::string& db_path);

// MAILER_TOKEN when set, else the session file's token, else nullopt.
std::optional<std::string> load_session_token(const std::string& db_path);
void save_session_token(const std::string& db_path, const std::string& token);
void remove_session_token(const std::string& db_path);

// Sends notification emails (verification, reset) through the configured SMTP server.
Notify smtp_notifier(const Config& config);

}  // namespace mailer
