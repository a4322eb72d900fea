#include "mailer/session_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "mailer/compose.hpp"
#include "mailer/error.hpp"
#include "mailer/smtp.hpp"
#include "mailer/time.hpp"

namespace fs = std::filesystem;

namespace mailer {

std::string session_file_path(const std::string& db_path) {
  std::string base;
  if (const char* state = std::getenv("XDG_STATE_HOME"); state && *state)
    base = state;
  else
    base = std::string(std::getenv("HOME") ? std::getenv("HOME") : "/tmp") + "/.local/state";
  return fmt::format("{}/mailer/session-{}", base, hash_token(db_path).substr(0, 16));
}

std::optional<std::string> load_session_token(const std::string& db_path) {
  if (const char* env = std::getenv("MAILER_TOKEN"); env && *env) return std::string(env);
  std::ifstream in(session_file_path(db_path));
  std::string token;
  if (!in || !std::getline(in, token) || token.empty()) return std::nullopt;
  return token;
}

void save_session_token(const std::string& db_path, const std::string& token) {
  std::string path = session_file_path(db_path);
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  ::chmod(fs::path(path).parent_path().c_str(), 0700);
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) throw Error(Errc::config, fmt::format("cannot write session file {}: {}", tmp, std::strerror(errno)));
  std::string line = token + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::fchmod(fd, 0600);
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0)
    throw Error(Errc::config, fmt::format("cannot write session file {}: {}", path, std::strerror(errno)));
}

void remove_session_token(const std::string& db_path) { ::unlink(session_file_path(db_path).c_str()); }

Notify smtp_notifier(const Config& config) {
  return [config](const std::string& to, const std::string& subject, const std::string& body) {
    mail::SmtpSettings settings = mail::smtp_settings(config);
    settings.connections = 1;
    mail::ComposeContext context;
    context.from = config.smtp.from;
    context.date = current_time();
    context.message_id = mail::make_message_id(config.smtp.from);
    // The body is ours, not a user template: render it verbatim (no mustache tags in it).
    mail::MessageTemplate message{subject, body, std::nullopt};
    mail::Envelope envelope{0, mail::envelope_address(to), mail::compose(message, mail::Recipient{to, ""}, context)};
    mail::send_one(settings, envelope);
  };
}

}  // namespace mailer
