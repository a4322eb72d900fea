#include "mailer/config.hpp"

#include <cstdlib>
#include <filesystem>
#include <algorithm>
#include <fstream>
#include <map>
#include <vector>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "mailer/error.hpp"
#include "mailer/validate.hpp"

namespace fs = std::filesystem;

namespace mailer {
namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

std::string home_dir() { return env_or("HOME", "/tmp"); }

[[noreturn]] void config_error(const std::string& file, const toml::source_region& where, const std::string& key,
                               const std::string& what, const std::string& hint = {}) {
  throw Error(Errc::config, fmt::format("{}:{}: {}: {}", file, where.begin.line, key, what),
              hint.empty() ? "see mailer.toml.sample" : hint);
}

// Reads tables key by key so that every unknown key is reported with its line.
class Reader {
 public:
  Reader(const std::string& file, const toml::table& root) : file_(file), root_(root) {}

  void check_keys() {
    static const std::map<std::string, std::vector<std::string>> known = {
        {"database", {"path"}},
        {"smtp", {"url", "username", "password_env", "from", "connections", "rate_per_second", "timeout_s", "ca_file"}},
        {"send", {"max_tries"}},
        {"tracking", {"base_url"}},
        {"imap", {"url", "username", "password_env"}},
    };
    for (auto&& [section, node] : root_) {
      std::string name(section.str());
      auto it = known.find(name);
      if (it == known.end()) config_error(file_, node.source(), name, "unknown section");
      const toml::table* table = node.as_table();
      if (!table) config_error(file_, node.source(), name, "expected a [" + name + "] table");
      for (auto&& [key, value] : *table) {
        std::string k(key.str());
        if (std::find(it->second.begin(), it->second.end(), k) == it->second.end())
          config_error(file_, value.source(), name + "." + k, "unknown key");
      }
    }
  }

  void string(const char* section, const char* key, std::string& out) {
    if (const toml::node* n = find(section, key)) {
      if (!n->is_string()) config_error(file_, n->source(), dotted(section, key), "expected a string");
      out = **n->as_string();
      check_utf8_or_fail(n, section, key, out);
    }
  }

  template <class Int>
  void integer(const char* section, const char* key, Int& out, long long min, long long max) {
    if (const toml::node* n = find(section, key)) {
      if (!n->is_integer()) config_error(file_, n->source(), dotted(section, key), "expected an integer");
      long long v = **n->as_integer();
      if (v < min || v > max)
        config_error(file_, n->source(), dotted(section, key), fmt::format("must be between {} and {}", min, max));
      out = static_cast<Int>(v);
    }
  }

  void number(const char* section, const char* key, double& out, double min) {
    if (const toml::node* n = find(section, key)) {
      double v;
      if (n->is_integer())
        v = static_cast<double>(**n->as_integer());
      else if (n->is_floating_point())
        v = **n->as_floating_point();
      else
        config_error(file_, n->source(), dotted(section, key), "expected a number");
      if (v < min) config_error(file_, n->source(), dotted(section, key), fmt::format("must be at least {}", min));
      out = v;
    }
  }

  // Line of a key for validation errors after reading.
  toml::source_region where(const char* section, const char* key) const {
    const toml::node* n = find(section, key);
    return n ? n->source() : toml::source_region{};
  }

  const toml::node* find(const char* section, const char* key) const {
    const toml::table* t = root_[section].as_table();
    return t ? t->get(key) : nullptr;
  }

 private:
  static std::string dotted(const char* s, const char* k) { return std::string(s) + "." + k; }
  void check_utf8_or_fail(const toml::node* n, const char* section, const char* key, const std::string& v) {
    try {
      check_utf8(v, dotted(section, key));
    } catch (const Error& e) {
      config_error(file_, n->source(), dotted(section, key), "invalid UTF-8");
    }
  }
  std::string file_;
  const toml::table& root_;
};

}  // namespace

ConfigLocation locate_config(const std::optional<std::string>& flag) {
  if (flag) return {*flag, true};
  if (const char* env = std::getenv("MAILER_CONFIG"); env && *env) return {env, true};
  std::string base = env_or("XDG_CONFIG_HOME", home_dir() + "/.config");
  return {base + "/mailer/mailer.toml", false};
}

Config parse_config(const std::string& text, const std::string& file) {
  Config config;
  config.file = file;
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    throw Error(Errc::config,
                fmt::format("{}:{}: {}", file, e.source().begin.line, std::string(e.description())),
                "the file is not valid TOML; see mailer.toml.sample");
  }
  Reader r(file, root);
  r.check_keys();
  std::string db;
  r.string("database", "path", db);
  r.string("smtp", "url", config.smtp.url);
  r.string("smtp", "username", config.smtp.username);
  r.string("smtp", "password_env", config.smtp.password_env);
  r.string("smtp", "from", config.smtp.from);
  r.integer("smtp", "connections", config.smtp.connections, 1, 64);
  r.number("smtp", "rate_per_second", config.smtp.rate_per_second, 0);
  r.integer("smtp", "timeout_s", config.smtp.timeout_s, 1, 3600);
  r.string("smtp", "ca_file", config.smtp.ca_file);
  r.integer("send", "max_tries", config.max_tries, 1, 100);
  r.string("tracking", "base_url", config.tracking_base_url);
  r.string("imap", "url", config.imap.url);
  r.string("imap", "username", config.imap.username);
  r.string("imap", "password_env", config.imap.password_env);

  if (!config.smtp.url.starts_with("smtp://") && !config.smtp.url.starts_with("smtps://"))
    config_error(file, r.where("smtp", "url"), "smtp.url", "must start with smtp:// or smtps://");
  {
    std::string address;
    auto lt = config.smtp.from.find('<');
    auto gt = config.smtp.from.rfind('>');
    address = (lt != std::string::npos && gt != std::string::npos && gt > lt)
                  ? config.smtp.from.substr(lt + 1, gt - lt - 1)
                  : config.smtp.from;
    if (!is_valid_email(address) || config.smtp.from.find_first_of("\r\n") != std::string::npos)
      config_error(file, r.where("smtp", "from"), "smtp.from", "not a valid mailbox",
                   "write it as \"Shop <news@example.com>\"");
  }
  if (!config.tracking_base_url.empty() && !config.tracking_base_url.starts_with("http://") &&
      !config.tracking_base_url.starts_with("https://"))
    config_error(file, r.where("tracking", "base_url"), "tracking.base_url", "must start with http:// or https://");
  while (config.tracking_base_url.ends_with('/')) config.tracking_base_url.pop_back();
  if (!config.imap.url.empty() && !config.imap.url.starts_with("imap://") && !config.imap.url.starts_with("imaps://"))
    config_error(file, r.where("imap", "url"), "imap.url", "must start with imap:// or imaps://");

  if (!config.smtp.ca_file.empty()) {
    // Checked now: a missing file would otherwise surface as "TLS failed" at send time.
    fs::path p(config.smtp.ca_file);
    if (p.is_relative()) p = fs::path(file).parent_path() / p;
    config.smtp.ca_file = p.lexically_normal().string();
    std::ifstream probe(config.smtp.ca_file);
    if (!probe)
      config_error(file, r.where("smtp", "ca_file"), "smtp.ca_file",
                   fmt::format("cannot read {}", config.smtp.ca_file),
                   "name a PEM file of CA certificates, or remove the key to trust the system's");
  }
  if (!db.empty()) {
    fs::path p(db);
    if (p.is_relative()) p = fs::path(file).parent_path() / p;
    config.db_path = p.lexically_normal().string();
  }
  return config;
}

Config load_config(const std::optional<std::string>& config_flag, const std::optional<std::string>& db_flag) {
  ConfigLocation where = locate_config(config_flag);
  Config config;
  std::error_code ec;
  if (fs::exists(where.path, ec)) {
    std::ifstream in(where.path, std::ios::binary);
    if (!in) throw Error(Errc::config, fmt::format("cannot read config file {}", where.path), "check its permissions");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string path = fs::absolute(where.path, ec).lexically_normal().string();
    config = parse_config(ss.str(), path);
  } else if (where.explicit_choice) {
    throw Error(Errc::config, fmt::format("config file {} does not exist", where.path),
                "copy mailer.toml.sample there, or drop --config / MAILER_CONFIG");
  }
  if (db_flag && !db_flag->empty()) {
    config.db_path = *db_flag;
  } else if (const char* env = std::getenv("MAILER_DB"); env && *env) {
    config.db_path = env;
  } else if (config.db_path.empty()) {
    std::string base = env_or("XDG_DATA_HOME", home_dir() + "/.local/share");
    fs::create_directories(base + "/mailer", ec);
    config.db_path = base + "/mailer/mailer.db";
  }
  if (config.db_path != ":memory:") config.db_path = fs::absolute(config.db_path, ec).lexically_normal().string();
  return config;
}

std::string smtp_password(const Config& config) {
  if (config.smtp.password_env.empty()) return {};
  const char* v = std::getenv(config.smtp.password_env.c_str());
  return v ? std::string(v) : std::string();
}

}  // namespace mailer
