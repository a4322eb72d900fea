// What `mailer serve` makes of a request before the database: routes, user agents, logs.
#include <doctest/doctest.h>

#include <string>

#include "mailer/serve/hits.hpp"
#include "mailer/serve/server.hpp"

using namespace mailer;
using namespace mailer::serve;

TEST_CASE("serve: the three tracking paths and nothing else") {
  Target open = parse_target("/o/12.34.abcdef0123.gif");
  CHECK(open.route == Route::open);
  CHECK(open.token == "12.34.abcdef0123");
  Target click = parse_target("/c/12.34.ab/cd01");
  CHECK(click.route == Route::click);
  CHECK(click.token == "12.34.ab");
  CHECK(click.signature == "cd01");
  Target unsub = parse_target("/u/12.34.ab");
  CHECK(unsub.route == Route::unsubscribe);
  CHECK(unsub.token == "12.34.ab");
  for (const char* path : {"/", "/o/", "/o/.gif", "/o/12.34.ab.png", "/c/12.34.ab", "/c/12.34.ab/",
                           "/u/12.34.ab/", "/u/12.34.zz", "/x/12.34.ab", "/u/../etc", "o/1.2.3.gif"})
    CHECK_MESSAGE(parse_target(path).route == Route::none, path);
}

TEST_CASE("serve: a click's URL comes percent-decoded from the raw query") {
  CHECK(query_value("/c/t/s?u=https%3A%2F%2Fa.example%2F%3Fx%3D1%26y", "u") == "https://a.example/?x=1&y");
  CHECK(query_value("/c/t/s?a=1&u=x", "u") == "x");
  CHECK_FALSE(query_value("/c/t/s", "u"));
  CHECK_FALSE(query_value("/c/t/s?uu=x", "u"));
  CHECK_FALSE(query_value("/c/t/s?u=%zz", "u"));
}

TEST_CASE("serve: only http and https URLs are redirected to, and never with a CR or LF") {
  CHECK(redirectable("https://shop.example/a"));
  CHECK(redirectable("HTTP://shop.example/"));
  CHECK_FALSE(redirectable("javascript:alert(1)"));
  CHECK_FALSE(redirectable("mailto:a@b.example"));
  CHECK_FALSE(redirectable("https://"));
  CHECK_FALSE(redirectable("https://a.example/\r\nSet-Cookie: x=1"));
  CHECK(location_value("https://a.example/письмо?q=1") ==
        "https://a.example/%D0%BF%D0%B8%D1%81%D1%8C%D0%BC%D0%BE?q=1");
}

TEST_CASE("serve: user agents are capped at a character boundary and lose control characters") {
  CHECK(clean_user_agent("Mozilla/5.0\r\n\tX") == "Mozilla/5.0X");
  std::string cyrillic;
  for (int i = 0; i < 400; ++i) cyrillic += "я";  // 2 bytes each
  std::string cut = clean_user_agent("a" + cyrillic);
  CHECK(cut.size() == kUserAgentMax - 1);  // "a" and 255 whole letters
  CHECK(cut.substr(1, 2) == "я");
}

TEST_CASE("serve: opens of link scanners and within two seconds of delivery do not count") {
  CHECK(is_link_scanner("Mozilla/5.0 (compatible; Barracuda Sentinel)"));
  CHECK(is_link_scanner("Mozilla/5.0 ... BingPreview/1.0b"));
  CHECK(is_link_scanner("Proofpoint URL Defense"));
  CHECK_FALSE(is_link_scanner(
      "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)"));
  CHECK_FALSE(is_link_scanner("Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.4266; Pro)"));
  CHECK_FALSE(open_counts("Thunderbird", 100, 100));
  CHECK_FALSE(open_counts("Thunderbird", 100, 102));
  CHECK(open_counts("Thunderbird", 100, 103));
  CHECK_FALSE(open_counts("Mimecast", 100, 1000));
}

TEST_CASE("serve: a logged path keeps no whole token or signature") {
  std::string path = "/c/12.34.0123456789abcdef0123456789abcdef/fedcba9876543210fedcba9876543210";
  std::string logged = redact_path(path);
  CHECK(logged == "/c/12.34.0123\u2026/fedc\u2026");
  CHECK(redact_path("/o/1.2.3.gif") == "/o/1.2.3.gif");
  CHECK(redact_path("/x\r\ny") == "/xy");
}

TEST_CASE("serve: --listen takes ADDR:PORT and [IPv6]:PORT") {
  auto a = parse_listen("127.0.0.1:8080");
  REQUIRE(a);
  CHECK(a->host == "127.0.0.1");
  CHECK(a->port == 8080);
  auto v6 = parse_listen("[::1]:9000");
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(format_listen(*v6) == "[::1]:9000");
  CHECK(parse_listen("localhost:1"));
  for (const char* bad : {"", "8080", ":8080", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
                          "127.0.0.1:80x", "::1:8080", "[::1]", "a b:80"})
    CHECK_FALSE_MESSAGE(parse_listen(bad), bad);
}
