#include "mailer/core/config.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "mailer/base/email_address.hpp"
#include "mailer/base/error.hpp"
#include "mailer/base/validate.hpp"
#include "mailer/core/paths.hpp"
#include "mailer/core/tracking.hpp"
#include "mailer/core/url.hpp"
#include "mailer/store/database_name.hpp"

namespace fs = std::filesystem;

namespace mailer {
namespace {

// A config file larger than this is not one (e.g. --config naming a log or a device).
constexpr std::size_t kMaxConfigFile = 1 << 20;

// C0 controls but TAB, DEL, and C1 controls (U+0080..U+009F, C2 80..C2 9F in UTF-8): a CR or
// LF in a header value would start a header of its own, an ESC would reach the terminal.
bool has_control(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if ((b < 0x20 && b != '\t') || b == 0x7F) return true;
    if (b == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9F) return true;
  }
  return false;
}

[[noreturn]] void config_error(const std::string& file, const toml::source_region& where,
                               const std::string& key, const std::string& what,
                               const std::string& hint = {}) {
  throw Error(Errc::config, fmt::format("{}:{}: {}: {}", file, where.begin.line, key, what),
              hint.empty() ? "see mailer.toml.sample" : hint);
}

// Reads tables key by key so that every unknown key is reported with its line.
class Reader {
 public:
  Reader(const std::string& file, const toml::table& root) : file_(file), root_(root) {}

  void check_keys() {
    static const std::map<std::string, std::vector<std::string>> known = {
        {"database", {"path", "url", "password_env"}},
        {"smtp",
         {"url", "tls", "username", "password_env", "from", "connections", "rate_per_second", "timeout_s",
          "ca_file"}},
        {"send", {"max_tries", "return_path", "lease_s"}},
        {"session", {"max_age_days"}},
        {"bounces", {"soft_limit"}},
        {"tracking", {"base_url", "opens", "clicks"}},
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

  void string(const char* section, const char* key, std::string& out, std::size_t max = kMaxConfigString) {
    if (const toml::node* n = find(section, key)) {
      if (!n->is_string()) config_error(file_, n->source(), dotted(section, key), "expected a string");
      const std::string& value = **n->as_string();
      if (value.size() > max)
        config_error(file_, n->source(), dotted(section, key), fmt::format("longer than {} bytes", max));
      check_utf8_or_fail(n, section, key, value);
      if (has_control(value))
        config_error(file_, n->source(), dotted(section, key), "contains a line break or a control character",
                     "write it on one line, without escapes such as \\n or \\u001b");
      out = value;
    }
  }

  template <class Int>
  void integer(const char* section, const char* key, Int& out, long long min, long long max) {
    if (const toml::node* n = find(section, key)) {
      if (!n->is_integer()) config_error(file_, n->source(), dotted(section, key), "expected an integer");
      long long v = **n->as_integer();
      if (v < min || v > max)
        config_error(file_, n->source(), dotted(section, key),
                     fmt::format("must be between {} and {}", min, max));
      out = static_cast<Int>(v);
    }
  }

  void boolean(const char* section, const char* key, bool& out) {
    if (const toml::node* n = find(section, key)) {
      if (!n->is_boolean()) config_error(file_, n->source(), dotted(section, key), "expected true or false");
      out = **n->as_boolean();
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
      if (v < min)
        config_error(file_, n->source(), dotted(section, key), fmt::format("must be at least {}", min));
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

// smtp.tls, checked against the URL's scheme; unset: what the scheme says.
TlsMode parse_tls(const Reader& r, const std::string& file, const std::string& tls, bool smtps) {
  auto mismatch = [&](const char* why) {
    config_error(file, r.where("smtp", "tls"), "smtp.tls", why,
                 "smtps:// goes with \"implicit\", smtp:// with "
                 "\"starttls\" or \"none\"");
  };
  if (tls.empty()) return smtps ? TlsMode::implicit : TlsMode::starttls;
  if (tls == "implicit") {
    if (!smtps) mismatch("\"implicit\" needs an smtps:// URL in smtp.url");
    return TlsMode::implicit;
  }
  if (tls == "starttls" || tls == "none") {
    if (smtps)
      mismatch(tls == "none" ? "\"none\" with an smtps:// URL, which is always TLS"
                             : "\"starttls\" needs an smtp:// URL in smtp.url");
    return tls == "none" ? TlsMode::none : TlsMode::starttls;
  }
  config_error(file, r.where("smtp", "tls"), "smtp.tls", "must be \"starttls\", \"implicit\" or \"none\"");
}

// send.return_path: a bare ASCII address that VERP can extend within RFC 5321's limits.
void check_return_path(const std::string& file, const toml::source_region& where,
                       const std::string& address) {
  auto bad = [&](const std::string& why) {
    config_error(file, where, "send.return_path", why,
                 "write a bare address such as \"bounces@example.com\"");
  };
  const bool ascii = std::all_of(address.begin(), address.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 32 && u < 127;
  });
  if (!ascii || !is_valid_email(address)) bad("not a valid bare ASCII address");
  const std::string local = address.substr(0, address.rfind('@'));
  if (local.find('+') != std::string::npos) bad("holds a '+': mailer adds +<token> to the local part itself");
  if (local.size() > kMaxReturnPathLocal)
    bad(fmt::format("its local part is longer than {} characters, too long for a token to follow",
                    kMaxReturnPathLocal));
}

}  // namespace

ConfigLocation locate_config(const std::optional<std::string>& flag, const Environment& env) {
  if (flag) return {*flag, true};
  if (!env.config.empty()) return {env.config, true};
  return {paths::config_home(env) + "/mailer/mailer.toml", false};
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
  std::string db_url;
  r.string("database", "url", db_url);
  r.string("database", "password_env", config.db_password_env);
  r.string("smtp", "url", config.smtp.url);
  std::string tls;
  r.string("smtp", "tls", tls);
  r.string("smtp", "username", config.smtp.username);
  if (const toml::node* n = r.find("smtp", "username"))
    config.smtp.username_at = fmt::format("{}:{}", file, n->source().begin.line);
  r.string("smtp", "password_env", config.smtp.password_env);
  r.string("smtp", "from", config.smtp.from);
  r.integer("smtp", "connections", config.smtp.connections, 1, 64);
  r.number("smtp", "rate_per_second", config.smtp.rate_per_second, 0);
  r.integer("smtp", "timeout_s", config.smtp.timeout_s, 1, 3600);
  r.string("smtp", "ca_file", config.smtp.ca_file);
  r.integer("send", "max_tries", config.max_tries, 1, 100);
  r.string("send", "return_path", config.return_path);
  r.integer("send", "lease_s", config.lease_s, 1, 86400);
  r.integer("session", "max_age_days", config.session_max_age_days, 1, 3650);
  r.integer("bounces", "soft_limit", config.bounces_soft_limit, 1, 100);
  r.string("tracking", "base_url", config.tracking_base_url, kMaxBaseUrl);
  r.boolean("tracking", "opens", config.tracking_opens);
  r.boolean("tracking", "clicks", config.tracking_clicks);
  r.string("imap", "url", config.imap.url);
  r.string("imap", "username", config.imap.username);
  r.string("imap", "password_env", config.imap.password_env);

  if (!config.smtp.url.starts_with("smtp://") && !config.smtp.url.starts_with("smtps://"))
    config_error(file, r.where("smtp", "url"), "smtp.url", "must start with smtp:// or smtps://");
  // In the URL a password would be printed with every error that names the server.
  if (url_has_userinfo(config.smtp.url))
    config_error(file, r.where("smtp", "url"), "smtp.url", "holds a user name or password",
                 "use smtp.username and smtp.password_env");
  config.smtp.tls = parse_tls(r, file, tls, config.smtp.url.starts_with("smtps://"));
  // Parsed as sending parses it, so that what is accepted here is what goes out.
  if (!is_valid_email(parse_mailbox(config.smtp.from).address) ||
      config.smtp.from.find_first_of("\r\n") != std::string::npos)
    config_error(file, r.where("smtp", "from"), "smtp.from", "not a valid mailbox",
                 "write it as \"Shop <news@example.com>\"");
  if (!config.return_path.empty())
    check_return_path(file, r.where("send", "return_path"), config.return_path);
  // A worker waiting on the server's reply renews no lease: one shorter than that wait would be
  // taken over from a live worker, and its recipients sent twice.
  if (!r.find("send", "lease_s"))
    config.lease_s = static_cast<int>(std::max<long>(config.lease_s, 4 * config.smtp.timeout_s));
  if (config.lease_s <= config.smtp.timeout_s)
    config_error(file, r.where("send", "lease_s"), "send.lease_s",
                 fmt::format("must be longer than smtp.timeout_s ({} s)", config.smtp.timeout_s),
                 "make it at least twice smtp.timeout_s");
  if (!config.tracking_base_url.empty() && !config.tracking_base_url.starts_with("http://") &&
      !config.tracking_base_url.starts_with("https://"))
    config_error(file, r.where("tracking", "base_url"), "tracking.base_url",
                 "must start with http:// or https://");
  while (config.tracking_base_url.ends_with('/')) config.tracking_base_url.pop_back();
  if (!config.imap.url.empty() && !config.imap.url.starts_with("imap://") &&
      !config.imap.url.starts_with("imaps://"))
    config_error(file, r.where("imap", "url"), "imap.url", "must start with imap:// or imaps://");
  if (url_has_userinfo(config.imap.url))
    config_error(file, r.where("imap", "url"), "imap.url", "holds a user name or password",
                 "use imap.username and imap.password_env");

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
  if (!db_url.empty()) {
    if (!db.empty())
      config_error(file, r.where("database", "url"), "database.url", "database.path is set too",
                   "keep one: path for an SQLite file, url for PostgreSQL");
    if (!store::is_postgres_url(db_url))
      config_error(file, r.where("database", "url"), "database.url", "not a postgresql:// URL",
                   "write postgresql://USER@HOST:PORT/DATABASE");
    if (db_url.find_first_of("\r\n") != std::string::npos || store::printable_database_name(db_url) != db_url)
      config_error(file, r.where("database", "url"), "database.url", "holds a password or a line break",
                   "keep the password out of the file: name its variable in "
                   "database.password_env, or use ~/.pgpass");
    config.db_path = db_url;
  } else if (!db.empty()) {
    fs::path p(db);
    if (p.is_relative()) p = fs::path(file).parent_path() / p;
    config.db_path = p.lexically_normal().string();
  }
  return config;
}

Config load_config(const std::optional<std::string>& config_flag, const std::optional<std::string>& db_flag,
                   const Environment& env) {
  ConfigLocation where = locate_config(config_flag, env);
  Config config;
  std::error_code ec;
  if (fs::is_directory(where.path, ec)) {
    throw Error(
        Errc::config, fmt::format("config file {} is a directory", where.path),
        "name the mailer.toml inside it, e.g. `config` " + (fs::path(where.path) / "mailer.toml").string());
  } else if (fs::exists(where.path, ec)) {
    std::ifstream in(where.path, std::ios::binary);
    if (!in)
      throw Error(Errc::config, fmt::format("cannot read config file {}", where.path),
                  "check its permissions");
    std::string text(kMaxConfigFile + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxConfigFile)
      throw Error(Errc::config,
                  fmt::format("config file {} is larger than {} bytes", where.path, kMaxConfigFile),
                  "is it the right file?");
    std::string path = fs::absolute(where.path, ec).lexically_normal().string();
    config = parse_config(text, path);
  } else if (where.explicit_choice) {
    throw Error(Errc::config, fmt::format("config file {} does not exist", where.path),
                "copy mailer.toml.sample there, or drop `config` / MAILER_CONFIG");
  }
  if (db_flag && !db_flag->empty()) {
    config.db_path = *db_flag;
  } else if (!env.db.empty()) {
    config.db_path = env.db;
  } else if (config.db_path.empty()) {
    // Its directory is made when the database is created (cli::Context::db), not here: a
    // command that never opens the database leaves no trace.
    config.db_path = paths::data_home(env) + "/mailer/mailer.db";
    config.db_default = true;
  }
  if (config.db_path != ":memory:" && !store::is_postgres_url(config.db_path))
    config.db_path = fs::absolute(config.db_path, ec).lexically_normal().string();
  if (!config.db_password_env.empty() && env.variable)
    config.db_password = env.variable(config.db_password_env).value_or("");
  if (!config.smtp.password_env.empty() && env.variable)
    config.smtp.password = env.variable(config.smtp.password_env);
  if (!config.imap.password_env.empty() && env.variable)
    config.imap.password = env.variable(config.imap.password_env);
  return config;
}

std::string smtp_password(const Config& config) {
  if (config.smtp.username.empty()) return {};
  const std::string& variable = config.smtp.password_env;
  const std::optional<std::string>& value = config.smtp.password;
  if (!variable.empty() && value && !value->empty()) return *value;
  // Checked before connecting: a login with an empty password is refused by the server as a
  // wrong one, and each such refusal would look like the server's fault.
  const std::string at = config.smtp.username_at.empty() ? "" : config.smtp.username_at + ": ";
  if (variable.empty())
    throw Error(Errc::config, at + "smtp.username is set but smtp.password_env is empty",
                "name the environment variable that holds the SMTP password");
  throw Error(
      Errc::config,
      fmt::format("{}smtp.username is set but ${} (smtp.password_env) is {}", at, variable,
                  value ? "empty" : "not set"),
      fmt::format("export {}=PASSWORD where mailer runs (cron too), or empty smtp.username", variable));
}

std::string imap_password(const Config& config) {
  if (config.imap.url.empty())
    throw Error(Errc::config,
                fmt::format("{}imap.url is empty", config.file.empty() ? "" : config.file + ": "),
                "set [imap] url, username and password_env to the mailbox that receives the bounces");
  if (config.imap.username.empty()) return {};
  const std::string& variable = config.imap.password_env;
  const std::optional<std::string>& value = config.imap.password;
  if (!variable.empty() && value && !value->empty()) return *value;
  if (variable.empty())
    throw Error(Errc::config, "imap.username is set but imap.password_env is empty",
                "name the environment variable that holds the IMAP password");
  throw Error(Errc::config,
              fmt::format("imap.username is set but ${} (imap.password_env) is {}", variable,
                          value ? "empty" : "not set"),
              fmt::format("export {}=PASSWORD where mailer runs (cron too)", variable));
}

}  // namespace mailer
