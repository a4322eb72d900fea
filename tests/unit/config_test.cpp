// SPEC §5: the config file, its errors and its defaults.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "mailer/base/error.hpp"
#include "mailer/core/config.hpp"
#include "mailer/core/environment.hpp"
#include "test_support.hpp"

using namespace mailer;
using mailer::test::TempDir;

namespace {

std::string error_of(const std::string& text) {
  try {
    parse_config(text, "/etc/mailer/mailer.toml");
  } catch (const Error& e) {
    CHECK(e.code() == Errc::config);
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("config: a full file is read into typed settings, the database relative to the file (SPEC §5)") {
  Config c = parse_config(R"(
[database]
path = "data/mailer.db"
[smtp]
url = "smtps://smtp.yandex.ru:465"
username = "shop"
password_env = "SHOP_PASS"
from = "Магазин <news@example.com>"
connections = 8
rate_per_second = 2.5
timeout_s = 10
[send]
max_tries = 3
[tracking]
base_url = "https://mail.example.com/"
[imap]
url = "imaps://imap.yandex.ru/INBOX"
)",
                          "/etc/mailer/mailer.toml");
  CHECK(c.db_path == "/etc/mailer/data/mailer.db");
  CHECK(c.smtp.url == "smtps://smtp.yandex.ru:465");
  CHECK(c.smtp.connections == 8);
  CHECK(c.smtp.rate_per_second == doctest::Approx(2.5));
  CHECK(c.smtp.timeout_s == 10);
  CHECK(c.max_tries == 3);
  CHECK(c.tracking_base_url == "https://mail.example.com");
  CHECK(c.smtp.password_env == "SHOP_PASS");
}

TEST_CASE("config: an unknown key is an error naming file, line and key (SPEC §5)") {
  CHECK(error_of("[smtp]\nurl = \"smtp://x:25\"\nconections = 4\n") ==
        "/etc/mailer/mailer.toml:3: smtp.conections: unknown key");
  CHECK(error_of("[smpt]\nurl = 1\n").find(":1: smpt: unknown section") != std::string::npos);
}

TEST_CASE("config: broken TOML names the file and line (SPEC §5)") {
  std::string e = error_of("[smtp]\nurl = \"smtp://x\n");
  CHECK(e.rfind("/etc/mailer/mailer.toml:2:", 0) == 0);
}

TEST_CASE("config: wrong types and values name the key (SPEC §5)") {
  CHECK(error_of("[smtp]\nconnections = \"four\"\n") ==
        "/etc/mailer/mailer.toml:2: smtp.connections: expected an integer");
  CHECK(error_of("[smtp]\nconnections = 0\n").find("smtp.connections: must be between 1 and 64") !=
        std::string::npos);
  CHECK(error_of("[smtp]\nurl = \"http://x\"\n").find(":2: smtp.url:") != std::string::npos);
  CHECK(error_of("[smtp]\nfrom = \"not an address\"\n").find(":2: smtp.from:") != std::string::npos);
  CHECK(error_of("[send]\nmax_tries = -1\n").find("send.max_tries") != std::string::npos);
}

TEST_CASE("config: an empty file gives the defaults") {
  Config c = parse_config("", "/x/mailer.toml");
  CHECK(c.smtp.url == "smtp://127.0.0.1:25");
  CHECK(c.smtp.connections == 4);
  CHECK(c.max_tries == 5);
  CHECK(c.smtp.password_env == "MAILER_SMTP_PASSWORD");
}

TEST_CASE("config: send.lease_s outlasts the longest wait for a reply") {
  // Unset: 120 s, or four replies' waits when smtp.timeout_s is long.
  CHECK(parse_config("", "/x/mailer.toml").lease_s == 120);
  CHECK(parse_config("[smtp]\ntimeout_s = 60\n", "/x/mailer.toml").lease_s == 240);
  CHECK(parse_config("[smtp]\ntimeout_s = 1\n[send]\nlease_s = 2\n", "/x/mailer.toml").lease_s == 2);
  CHECK(error_of("[smtp]\ntimeout_s = 30\n[send]\nlease_s = 30\n") ==
        "/etc/mailer/mailer.toml:4: send.lease_s: must be longer than smtp.timeout_s (30 s)");
  CHECK(error_of("[send]\nlease_s = 0\n").find("send.lease_s: must be between 1 and 86400") !=
        std::string::npos);
}

TEST_CASE("config: smtp.ca_file is relative to the file and must be readable") {
  char dir_template[] = "/tmp/mailer-config-test.XXXXXX";
  REQUIRE(::mkdtemp(dir_template) != nullptr);
  std::string dir = dir_template;
  std::ofstream(dir + "/ca.pem") << "-----BEGIN CERTIFICATE-----\n";
  Config c = parse_config("[smtp]\nca_file = \"ca.pem\"\n", dir + "/mailer.toml");
  CHECK(c.smtp.ca_file == dir + "/ca.pem");
  CHECK(parse_config("", dir + "/mailer.toml").smtp.ca_file.empty());  // the system's
  std::string e;
  try {
    parse_config("[smtp]\n\nca_file = \"missing.pem\"\n", dir + "/mailer.toml");
  } catch (const Error& error) {
    CHECK(error.code() == Errc::config);
    e = error.what();
  }
  CHECK(e == dir + "/mailer.toml:3: smtp.ca_file: cannot read " + dir + "/missing.pem");
  ::unlink((dir + "/ca.pem").c_str());
  ::rmdir(dir.c_str());
}

TEST_CASE("config: mailer.toml.sample is a valid config, every key in it known") {
  std::ifstream in(MAILER_SOURCE_DIR "/mailer.toml.sample");
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  Config c = parse_config(text.str(), "/etc/mailer/mailer.toml");
  CHECK(c.smtp.connections >= 1);
}

// Issue 8 §5, §6, §10 and issue 7 §1: the keys and checks added for hardening.

TEST_CASE("config: smtp.tls follows the URL when unset and must agree with it when set (issue 8 §5)") {
  CHECK(parse_config("[smtp]\nurl = \"smtp://h:25\"\n", "/x.toml").smtp.tls == TlsMode::starttls);
  CHECK(parse_config("[smtp]\nurl = \"smtps://h:465\"\n", "/x.toml").smtp.tls == TlsMode::implicit);
  CHECK(parse_config("[smtp]\nurl = \"smtp://h:25\"\ntls = \"none\"\n", "/x.toml").smtp.tls == TlsMode::none);
  CHECK(error_of("[smtp]\nurl = \"smtp://h:25\"\ntls = \"implicit\"\n")
            .starts_with("/etc/mailer/mailer.toml:3: smtp.tls: \"implicit\" needs an smtps:// URL"));
  CHECK(error_of("[smtp]\nurl = \"smtps://h:465\"\ntls = \"starttls\"\n")
            .starts_with("/etc/mailer/mailer.toml:3: smtp.tls:"));
  CHECK(error_of("[smtp]\nurl = \"smtps://h:465\"\ntls = \"none\"\n")
            .starts_with("/etc/mailer/mailer.toml:3: smtp.tls:"));
  CHECK(error_of("[smtp]\ntls = \"STARTTLS\"\n") ==
        "/etc/mailer/mailer.toml:2: smtp.tls: must be \"starttls\", \"implicit\" or \"none\"");
}

TEST_CASE("config: user information in smtp.url or imap.url is refused (issue 8 §6)") {
  std::string e = error_of("[smtp]\nurl = \"smtp://shop:S3cretPW@h:25\"\n");
  CHECK(e == "/etc/mailer/mailer.toml:2: smtp.url: holds a user name or password");
  CHECK(e.find("S3cretPW") == std::string::npos);
  CHECK(error_of("[imap]\nurl = \"imaps://u@h/INBOX\"\n") ==
        "/etc/mailer/mailer.toml:2: imap.url: holds a user name or password");
}

TEST_CASE("config: control characters are refused in every string; TAB and Cyrillic are fine (issue 8 §6)") {
  CHECK(error_of("[smtp]\nusername = \"a\\nb\"\n") ==
        "/etc/mailer/mailer.toml:2: smtp.username: contains a line break or a control character");
  CHECK(error_of("[imap]\nusername = \"a\\u0000\"\n").find("imap.username: contains") != std::string::npos);
  CHECK(error_of("[smtp]\nfrom = \"\\u009bShop <a@example.com>\"\n").find("smtp.from: contains") !=
        std::string::npos);
  CHECK(error_of("[smtp]\npassword_env = \"X\\u007f\"\n").find("smtp.password_env: contains") !=
        std::string::npos);
  Config c = parse_config("[smtp]\nfrom = \"Магазин\\t«Ромашка» <shop@example.com>\"\n", "/x.toml");
  CHECK(c.smtp.from == "Магазин\t«Ромашка» <shop@example.com>");
}

TEST_CASE("config: strings are capped at 4 KiB and tracking.base_url at 200 bytes (issue 8 §10)") {
  CHECK(error_of("[smtp]\nusername = \"" + std::string(4097, 'u') + "\"\n") ==
        "/etc/mailer/mailer.toml:2: smtp.username: longer than 4096 bytes");
  CHECK(parse_config("[smtp]\nusername = \"" + std::string(4096, 'u') + "\"\n", "/x.toml")
            .smtp.username.size() == 4096);
  const std::string base = "https://mail.example.com/";
  CHECK(error_of("[tracking]\nbase_url = \"" + base + std::string(200 - base.size() + 1, 'a') + "\"\n") ==
        "/etc/mailer/mailer.toml:2: tracking.base_url: longer than 200 bytes");
  CHECK(parse_config("[tracking]\nbase_url = \"" + base + std::string(200 - base.size(), 'a') + "\"\n",
                     "/x.toml")
            .tracking_base_url.size() == 200);
}

TEST_CASE("config: session.max_age_days is 30 by default, 1 to 3650 (issue 8 §10)") {
  CHECK(parse_config("", "/x.toml").session_max_age_days == 30);
  CHECK(parse_config("[session]\nmax_age_days = 7\n", "/x.toml").session_max_age_days == 7);
  CHECK(error_of("[session]\nmax_age_days = 0\n").find("session.max_age_days: must be between 1 and 3650") !=
        std::string::npos);
  CHECK(error_of("[session]\nmaxage = 1\n").find("session.maxage: unknown key") != std::string::npos);
}

TEST_CASE(
    "config: a username without its password variable is a config error when SMTP is used (issue 7 §1)") {
  Config c = parse_config("[smtp]\n\nusername = \"shop\"\npassword_env = \"MAILER_TEST_PW\"\n", "/x.toml");
  c.smtp.password = std::nullopt;  // $MAILER_TEST_PW is not set
  std::string what;
  try {
    smtp_password(c);
  } catch (const Error& e) {
    CHECK(e.code() == Errc::config);
    what = e.what();
  }
  CHECK(what == "/x.toml:3: smtp.username is set but $MAILER_TEST_PW (smtp.password_env) is not set");
  c.smtp.password = "";
  CHECK_THROWS_AS(smtp_password(c), Error);
  c.smtp.password = "s3cret";
  CHECK(smtp_password(c) == "s3cret");
  CHECK(smtp_password(parse_config("", "/x.toml")).empty());  // no username: no password needed
}

TEST_CASE(
    "config: load_config takes the file, the database and the password from the environment it is given") {
  TempDir t("mailer-config-test");
  const std::string file = (t.path / "mailer.toml").string();
  std::ofstream(file) << "[smtp]\nusername = \"shop\"\npassword_env = \"SHOP_PASS\"\n";
  Environment env;
  env.config = file;
  env.db = (t.path / "env.db").string();
  env.variable = [](const std::string& name) -> std::optional<std::string> {
    if (name == "SHOP_PASS") return "s3cret";
    return std::nullopt;
  };
  Config c = load_config(std::nullopt, std::nullopt, env);
  CHECK(c.file == file);
  CHECK(c.db_path == env.db);
  CHECK(smtp_password(c) == "s3cret");
  CHECK(load_config(std::nullopt, (t.path / "flag.db").string(), env).db_path ==
        (t.path / "flag.db").string());

  // Without MAILER_CONFIG and MAILER_DB: the XDG defaults, and loading makes no directory.
  Environment bare;
  bare.xdg_config_home = (t.path / "config").string();
  bare.xdg_data_home = (t.path / "data").string();
  Config defaults = load_config(std::nullopt, std::nullopt, bare);
  CHECK(defaults.file.empty());
  CHECK(defaults.db_path == (t.path / "data" / "mailer" / "mailer.db").string());
  CHECK(defaults.db_default);
  CHECK_FALSE(std::filesystem::exists(t.path / "data"));
  CHECK_FALSE(std::filesystem::exists(t.path / "config"));
}

TEST_CASE("config: bounces.soft_limit is 3 by default, 1 to 100 (issue 12, item 5)") {
  CHECK(parse_config("", "/x.toml").bounces_soft_limit == 3);
  CHECK(parse_config("[bounces]\nsoft_limit = 5\n", "/x.toml").bounces_soft_limit == 5);
  CHECK(error_of("[bounces]\nsoft_limit = 0\n").find("bounces.soft_limit: must be between 1 and 100") !=
        std::string::npos);
  CHECK(error_of("[bounces]\nsoft_limit = \"3\"\n").find("bounces.soft_limit") != std::string::npos);
  CHECK(error_of("[bounces]\nhard_limit = 1\n").find("bounces.hard_limit: unknown key") != std::string::npos);
}

TEST_CASE(
    "config: send.return_path is off by default, a bare ASCII address VERP can extend (issue 12, item 3)") {
  CHECK(parse_config("", "/x.toml").return_path.empty());
  CHECK(parse_config("[send]\nreturn_path = \"bounces@shop.example.ru\"\n", "/x.toml").return_path ==
        "bounces@shop.example.ru");
  CHECK(error_of("[send]\nreturn_path = \"bounces\"\n") ==
        "/etc/mailer/mailer.toml:2: send.return_path: not a valid bare ASCII address");
  CHECK(error_of("[send]\nreturn_path = \"Shop <bounces@x.example>\"\n")
            .find("send.return_path: not a valid") != std::string::npos);
  CHECK(error_of("[send]\nreturn_path = \"отказы@магазин.рф\"\n").find("send.return_path: not a valid") !=
        std::string::npos);
  CHECK(error_of("[send]\nreturn_path = \"bounces+x@x.example\"\n").find("send.return_path: holds a '+'") !=
        std::string::npos);
  CHECK(error_of("[send]\nreturn_path = \"" + std::string(21, 'b') + "@x.example\"\n")
            .find("send.return_path: its local part is longer than 20") != std::string::npos);
}
