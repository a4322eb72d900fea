#include "mailer/core/session_file.hpp"

#include "mailer/core/paths.hpp"
#include "mailer/core/secrets.hpp"

namespace mailer {
namespace {

constexpr std::size_t kMaxSessionFile = 4096;

std::string session_dir(const Environment& env) { return paths::state_home(env) + "/mailer"; }

std::string session_file_name(const std::string& db_path) {
  return "session-" + hash_token(db_path).substr(0, 16);
}

}  // namespace

std::string session_file_path(const std::string& db_path, const Environment& env) {
  return session_dir(env) + "/" + session_file_name(db_path);
}

std::optional<std::string> load_session_token(const std::string& db_path, const Environment& env) {
  if (!env.token.empty()) return env.token;
  auto dir = paths::PrivateDir::open(session_dir(env), false);
  if (!dir) return std::nullopt;
  auto content = dir->read(session_file_name(db_path), kMaxSessionFile);
  if (!content) return std::nullopt;
  std::string token = content->substr(0, content->find('\n'));
  if (token.empty()) return std::nullopt;
  return token;
}

void save_session_token(const std::string& db_path, const std::string& token, const Environment& env) {
  paths::PrivateDir::open(session_dir(env), true)->write(session_file_name(db_path), token + "\n");
}

void remove_session_token(const std::string& db_path, const Environment& env) {
  if (auto dir = paths::PrivateDir::open(session_dir(env), false)) dir->remove(session_file_name(db_path));
}

}  // namespace mailer
