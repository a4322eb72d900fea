#pragma once
// Where a login's token is kept: one file per database in $XDG_STATE_HOME/mailer/, a directory
// only its owner may write (checked; see paths::PrivateDir), the file mode 0600.
#include <optional>
#include <string>

#include "mailer/core/environment.hpp"

namespace mailer {

// $XDG_STATE_HOME/mailer/session-<hash of the database path> (~/.local/state when unset).
std::string session_file_path(const std::string& db_path, const Environment& env);

// MAILER_TOKEN (env.token) when set, else the session file's token, else nullopt.
// Error{permission} when the directory or the file is not private to the user.
std::optional<std::string> load_session_token(const std::string& db_path, const Environment& env);
void save_session_token(const std::string& db_path, const std::string& token, const Environment& env);
void remove_session_token(const std::string& db_path, const Environment& env);

}  // namespace mailer
