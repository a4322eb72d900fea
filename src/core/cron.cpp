#include "mailer/core/cron.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include <fmt/format.h>

#include "mailer/base/error.hpp"
#include "mailer/base/sigpipe_block.hpp"
#include "mailer/base/unique_fd.hpp"
#include "mailer/core/users.hpp"

namespace mailer::cron {
namespace {

std::string crontab_program(const Environment& env) { return env.crontab.empty() ? "crontab" : env.crontab; }

std::string strip_lines_with(const std::string& crontab, const std::string& needle, bool& changed) {
  std::istringstream in(crontab);
  std::string out, line;
  while (std::getline(in, line)) {
    if (line.find(needle) != std::string::npos) {
      changed = true;
      continue;
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace

std::string shell_quote(const std::string& word) {
  std::string out = "'";
  for (char c : word) {
    if (c == '\'')
      out += "'\\''";
    else if (c == '%')
      out += "\\%";  // cron turns a bare % into a newline
    else
      out += c;
  }
  return out + "'";
}

std::string marker(const std::string& config_path, const std::string& db_path) {
  return "# mailer-send-due " + hash_token(config_path + "\n" + db_path).substr(0, 12);
}

std::string line(const std::string& command, const std::string& log_path, const std::string& mark) {
  std::string out = "* * * * * ";
  out += command;
  out += " >> " + shell_quote(log_path) + " 2>&1 " + mark;
  return out;
}

bool has_line(const std::string& crontab, const std::string& line) {
  std::istringstream in(crontab);
  std::string each;
  while (std::getline(in, each))
    if (each == line) return true;
  return false;
}

std::string with_line(const std::string& crontab, const std::string& line, const std::string& mark,
                      bool& changed) {
  if (has_line(crontab, line)) {
    changed = false;
    return crontab;
  }
  bool removed = false;
  std::string out = strip_lines_with(crontab, mark, removed);
  changed = true;
  return out + line + "\n";
}

std::string without_line(const std::string& crontab, const std::string& mark, bool& changed) {
  changed = false;
  return strip_lines_with(crontab, mark, changed);
}

std::string read_crontab(const Environment& env) {
  std::string cmd = crontab_program(env) + " -l 2>/dev/null";
  UniquePipe pipe(::popen(cmd.c_str(), "r"));
  if (!pipe) throw Error(Errc::config, "cannot run crontab -l", "install the cron package");
  std::string text;
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe.get())) > 0) text.append(buf.data(), n);
  int status = pipe.close();
  if (status == -1 || (WIFEXITED(status) && WEXITSTATUS(status) == 127))
    throw Error(Errc::config, fmt::format("cannot run {}", crontab_program(env)), "install the cron package");
  // `crontab -l` fails when the user has no crontab yet: that is an empty one.
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return "";
  return text;
}

void write_crontab(const std::string& text, const Environment& env) {
  std::string cmd = crontab_program(env) + " -";
  // A crontab that exits before it reads everything (it refused): EPIPE and its exit status,
  // not a SIGPIPE that kills mailer without a word.
  const SigpipeBlock no_sigpipe;
  UniquePipe pipe(::popen(cmd.c_str(), "w"));
  if (!pipe) throw Error(Errc::config, "cannot run crontab -", "install the cron package");
  std::fwrite(text.data(), 1, text.size(), pipe.get());
  int status = pipe.close();
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw Error(Errc::config, fmt::format("{} - failed to install the crontab", crontab_program(env)),
                "is the cron package installed and are you allowed to use crontab?");
}

std::string self_path() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw Error(Errc::internal, "cannot find the mailer binary's path");
  return p.string();
}

}  // namespace mailer::cron
