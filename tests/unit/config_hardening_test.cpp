// Issue 8 §5, §6, §10 and issue 7 §1: the config keys and checks added for hardening.
#include <doctest/doctest.h>

#include <cstdlib>
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

TEST_CASE("config: smtp.tls follows the URL when unset and must agree with it when set (issue 8 §5)") {
  CHECK(parse_config("[smtp]\nurl = \"smtp://h:25\"\n", "/x.toml").smtp.tls == TlsMode::starttls);
  CHECK(parse_config("[smtp]\nurl = \"smtps://h:465\"\n", "/x.toml").smtp.tls == TlsMode::implicit);
  CHECK(parse_config("[smtp]\nurl = \"smtp://h:25\"\ntls = \"none\"\n", "/x.toml").smtp.tls == TlsMode::none);
  CHECK(error_of("[smtp]\nurl = \"smtp://h:25\"\ntls = \"implicit\"\n")
            .starts_with("/etc/mailer/mailer.toml:3: smtp.tls: \"implicit\" needs an smtps:// URL"));
  CHECK(error_of("[smtp]\nurl = \"smtps://h:465\"\ntls = \"starttls\"\n").starts_with("/etc/mailer/mailer.toml:3: smtp.tls:"));
  CHECK(error_of("[smtp]\nurl = \"smtps://h:465\"\ntls = \"none\"\n").starts_with("/etc/mailer/mailer.toml:3: smtp.tls:"));
  CHECK(error_of("[smtp]\ntls = \"STARTTLS\"\n") ==
        "/etc/mailer/mailer.toml:2: smtp.tls: must be \"starttls\", \"implicit\" or \"none\"");
}

TEST_CASE("config: user information in smtp.url or imap.url is refused (issue 8 §6)") {
  std::string e = error_of("[smtp]\nurl = \"smtp://shop:S3cretPW@h:25\"\n");
  CHECK(e == "/etc/mailer/mailer.toml:2: smtp.url: holds a user name or password");
  CHECK(e.find("S3cretPW") == std::string::npos);
  CHECK(error_of("[imap]\nurl = \"imaps://u@h/INBOX\"\n") == "/etc/mailer/mailer.toml:2: imap.url: holds a user name or password");
}

TEST_CASE("config: control characters are refused in every string; TAB and Cyrillic are fine (issue 8 §6)") {
  CHECK(error_of("[smtp]\nusername = \"a\\nb\"\n") ==
        "/etc/mailer/mailer.toml:2: smtp.username: contains a line break or a control character");
  CHECK(error_of("[imap]\nusername = \"a\\u0000\"\n").find("imap.username: contains") != std::string::npos);
  CHECK(error_of("[smtp]\nfrom = \"\\u009bShop <a@example.com>\"\n").find("smtp.from: contains") != std::string::npos);
  CHECK(error_of("[smtp]\npassword_env = \"X\\u007f\"\n").find("smtp.password_env: contains") != std::string::npos);
  Config c = parse_config("[smtp]\nfrom = \"Магазин\\t«Ромашка» <shop@example.com>\"\n", "/x.toml");
  CHECK(c.smtp.from == "Магазин\t«Ромашка» <shop@example.com>");
}

TEST_CASE("config: strings are capped at 4 KiB and tracking.base_url at 200 bytes (issue 8 §10)") {
  CHECK(error_of("[smtp]\nusername = \"" + std::string(4097, 'u') + "\"\n") ==
        "/etc/mailer/mailer.toml:2: smtp.username: longer than 4096 bytes");
  CHECK(parse_config("[smtp]\nusername = \"" + std::string(4096, 'u') + "\"\n", "/x.toml").smtp.username.size() == 4096);
  const std::string base = "https://mail.example.com/";
  CHECK(error_of("[tracking]\nbase_url = \"" + base + std::string(200 - base.size() + 1, 'a') + "\"\n") ==
        "/etc/mailer/mailer.toml:2: tracking.base_url: longer than 200 bytes");
  CHECK(parse_config("[tracking]\nbase_url = \"" + base + std::string(200 - base.size(), 'a') + "\"\n", "/x.toml")
            .tracking_base_url.size() == 200);
}

TEST_CASE("config: session.max_age_days is 30 by default, 1 to 3650 (issue 8 §10)") {
  CHECK(parse_config("", "/x.toml").session_max_age_days == 30);
  CHECK(parse_config("[session]\nmax_age_days = 7\n", "/x.toml").session_max_age_days == 7);
  CHECK(error_of("[session]\nmax_age_days = 0\n").find("session.max_age_days: must be between 1 and 3650") !=
        std::string::npos);
  CHECK(error_of("[session]\nmaxage = 1\n").find("session.maxage: unknown key") != std::string::npos);
}

TEST_CASE("config: a username without its password variable is a config error when SMTP is used (issue 7 §1)") {
  Config c = parse_config("[smtp]\n\nusername = \"shop\"\npassword_env = \"MAILER_TEST_PW\"\n", "/x.toml");
  ::unsetenv("MAILER_TEST_PW");
  std::string what;
  try {
    smtp_password(c);
  } catch (const Error& e) {
    CHECK(e.code() == Errc::config);
    what = e.what();
  }
  CHECK(what == "/x.toml:3: smtp.username is set but $MAILER_TEST_PW (smtp.password_env) is not set");
  ::setenv("MAILER_TEST_PW", "", 1);
  CHECK_THROWS_AS(smtp_password(c), Error);
  ::setenv("MAILER_TEST_PW", "s3cret", 1);
  CHECK(smtp_password(c) == "s3cret");
  ::unsetenv("MAILER_TEST_PW");
  CHECK(smtp_password(parse_config("", "/x.toml")).empty());  // no username: no password needed
}
