// Issue 8 §6: URLs never carry a password into a printed message.
#include <doctest/doctest.h>

#include "mailer/core/url.hpp"

using namespace mailer;

TEST_CASE("url: user information is found in the authority only") {
  CHECK(url_has_userinfo("smtp://shop:S3cretPW@127.0.0.1:1"));
  CHECK(url_has_userinfo("imaps://box@imap.example.com/INBOX"));
  CHECK(url_has_userinfo("smtp://a:p@ss@host"));  // an '@' in the password
  CHECK_FALSE(url_has_userinfo("smtp://127.0.0.1:25"));
  CHECK_FALSE(url_has_userinfo("https://mail.example.com/u?to=a@b.c"));
  CHECK_FALSE(url_has_userinfo("not a url @ all"));
}

TEST_CASE("url: redact_url hides user information and control characters") {
  CHECK(redact_url("smtp://shop:S3cretPW@127.0.0.1:1") == "smtp://***@127.0.0.1:1");
  CHECK(redact_url("smtp://a:p@ss@host/x") == "smtp://***@host/x");
  CHECK(redact_url("smtps://smtp.yandex.ru:465") == "smtps://smtp.yandex.ru:465");
  CHECK(redact_url("https://x.example/u?to=a@b.c") == "https://x.example/u?to=a@b.c");
  CHECK(redact_url("smtp://host\r\n\x1b[31m") == "smtp://host???[31m");
}
