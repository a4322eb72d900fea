// SPEC §5: the config file, its errors and its defaults.
#include <doctest/doctest.h>

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "mailer/config.hpp"
#include "mailer/error.hpp"

using namespace mailer;

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
  CHECK(error_of("[smtp]\nconnections = \"four\"\n") == "/etc/mailer/mailer.toml:2: smtp.connections: expected an integer");
  CHECK(error_of("[smtp]\nconnections = 0\n").find("smtp.connections: must be between 1 and 64") != std::string::npos);
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
