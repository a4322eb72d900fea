// Open and click tracking of the HTML part (issue 10 item 5): which links are rewritten and
// how, where the pixel goes, and that hostile HTML neither throws nor costs more than a pass.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "mailer/base/error.hpp"
#include "mailer/core/config.hpp"
#include "mailer/core/tracking.hpp"
#include "mailer/mail/tracking_links.hpp"

using namespace mailer;
using mailer::mail::add_tracking;
using mailer::mail::open_pixel_element;
using mailer::mail::TrackingLinks;

namespace {

const std::string kBase = "https://t.example";
const std::string kKey(64, 'k');
const std::string kToken = "7.42.0123456789abcdef0123456789abcdef";
const std::string kUnsubscribe = kBase + "/u/" + kToken;

TrackingLinks links(bool opens = true, bool clicks = true) {
  return TrackingLinks{kBase, kKey, opens, clicks};
}

std::string track(const std::string& html, const TrackingLinks& t = links(false, true)) {
  return add_tracking(html, t, kToken, kUnsubscribe);
}

// The href as add_tracking writes it for `url`.
std::string href(const std::string& url) { return "href=\"" + click_url(kBase, kKey, kToken, url) + "\""; }

std::string pixel() { return open_pixel_element(links(), kToken); }

}  // namespace

TEST_CASE("tracking links: http(s) links of <a> and <area> go through a signed click URL") {
  const std::string url = "https://shop.example/catalogue";
  CHECK(track("<a href=\"" + url + "\">Каталог</a>") == "<a " + href(url) + ">Каталог</a>");
  // Single quotes, no quotes, any case of tag, attribute and scheme, other attributes kept.
  CHECK(track("<a class='b' href='" + url + "' id=x>") == "<a class='b' " + href(url) + " id=x>");
  CHECK(track("<a href=" + url + ">x</a>") == "<a " + href(url) + ">x</a>");
  CHECK(track("<A HREF = \"HTTP://Shop.example/\">") ==
        "<A HREF = \"" + click_url(kBase, kKey, kToken, "HTTP://Shop.example/") + "\">");
  CHECK(track("<area shape=rect href=\"http://shop.example/\"/>") ==
        "<area shape=rect " + href("http://shop.example/") + "/>");
  CHECK(track("<a\nhref=\"" + url + "\"\n>") == "<a\n" + href(url) + "\n>");
  // The click URL is the one `serve` verifies: the signature covers token and URL.
  std::string out = track("<a href=\"" + url + "\">");
  CHECK(out.find(kBase + "/c/" + kToken + "/" + click_signature(kKey, kToken, url) +
                 "?u=" + percent_encode(url)) != std::string::npos);
}

TEST_CASE("tracking links: character references are decoded before signing, escaped after") {
  const std::string url = "https://shop.example/?a=1&b=2&c=\"'<>";
  for (std::string written : {"https://shop.example/?a=1&amp;b=2&amp;c=&quot;&apos;&lt;&gt;",
                              "https://shop.example/?a=1&#38;b=2&#x26;c=&#34;&#X27;&#60;&#x3E;"})
    CHECK(track("<a href=\"" + written + "\">") == "<a " + href(url) + ">");
  // A reference that is none, or a code point a URL cannot hold, is kept as written.
  CHECK(track("<a href=\"https://s.example/?x=&foo;&#0;&#xD800;&\">") ==
        "<a " + href("https://s.example/?x=&foo;&#0;&#xD800;&") + ">");
  CHECK(track("<a href=\"https://s.example/&#x43a;&#1090;\">") == "<a " + href("https://s.example/кт") + ">");
  // Whitespace around the URL is no part of it (browsers strip it too).
  CHECK(track("<a href=\" \n https://s.example/ \t\">") == "<a " + href("https://s.example/") + ">");
  // A base URL with an ampersand is escaped in the attribute.
  TrackingLinks odd{"https://t.example/a&b", kKey, false, true};
  std::string odd_url = click_url(odd.base_url, kKey, kToken, "https://s.example/");
  odd_url.replace(odd_url.find('&'), 1, "&amp;");
  CHECK(add_tracking("<a href=\"https://s.example/\">", odd, kToken, "") == "<a href=\"" + odd_url + "\">");
}

TEST_CASE("tracking links: what is no web link, or is the tracking server's own, stays as written") {
  for (std::string html : {
           "<a href=\"mailto:shop@example.com?subject=Hi\">",
           "<a href=\"tel:+74950000000\">",
           "<a href=\"#top\">",
           "<a href=\"/catalogue\">",
           "<a href=\"catalogue.html\">",
           "<a href=\"//cdn.example/x\">",
           "<a href=\"javascript:alert(1)\">",
           "<a href=\"ftp://files.example/\">",
           "<a href=\"https:shop.example\">",
           "<a href>",
           "<a href=>x</a>",
           "<a name=\"https://shop.example/\">",
           "<abbr href=\"https://shop.example/\">",
           "<link href=\"https://shop.example/s.css\">",
           "<img src=\"https://shop.example/i.png\">",
           "</a href=\"https://shop.example/\">",
       }) {
    CAPTURE(html);
    CHECK(track(html) == html);
  }
  // The unsubscribe link, the copy's or any other, and the pixel and click URLs themselves.
  for (std::string url : {kUnsubscribe, kBase + "/u/1.2.ff", kBase + "/o/x.gif", kBase + "/c/a/b?u=c"}) {
    std::string html = "<a href=\"" + url + "\">";
    CAPTURE(html);
    CHECK(track(html) == html);
  }
  // Other pages under the base URL are the shop's: tracked.
  CHECK(track("<a href=\"" + kBase + "/sale\">") == "<a " + href(kBase + "/sale") + ">");
  // Only the first href counts, as in a browser.
  CHECK(track("<a href=\"https://a.example/\" href=\"https://b.example/\">") ==
        "<a " + href("https://a.example/") + " href=\"https://b.example/\">");
}

TEST_CASE("tracking links: comments, scripts and styles are no markup; Outlook's conditionals are") {
  const std::string link = "<a href=\"https://s.example/\">";
  const std::string tracked = "<a " + href("https://s.example/") + ">";
  const std::vector<std::string> cases = {"<!-- " + link + " -->",
                                          "<!--" + link + "</body>-->",
                                          "<script>var a='" + link + "';</script>",
                                          "<STYLE>/* " + link + " */</STYLE>",
                                          "<title>" + link + "</title>",
                                          "<textarea>" + link + "</textarea>",
                                          "<!DOCTYPE html>",
                                          "<?xml version=\"1.0\"?>"};
  for (const std::string& html : cases) {
    CAPTURE(html);
    CHECK(track(html) == html);
  }
  CHECK(track("<!--[if mso]>" + link + "<![endif]-->") == "<!--[if mso]>" + tracked + "<![endif]-->");
  CHECK(track("<!--[if !mso]><!-->" + link + "<!--<![endif]-->") ==
        "<!--[if !mso]><!-->" + tracked + "<!--<![endif]-->");
  // What follows a closed comment or script is markup again.
  CHECK(track("<!-- x -->" + link) == "<!-- x -->" + tracked);
  CHECK(track("<script>1 < 2</SCRIPT>" + link) == "<script>1 < 2</SCRIPT>" + tracked);
  CHECK(track("<!---->" + link + "<!-->" + link) == "<!---->" + tracked + "<!-->" + tracked);
}

TEST_CASE("tracking links: the pixel goes once before the last </body>, else at the end") {
  const std::string p = pixel();
  CHECK(p == "<img src=\"" + kBase + "/o/" + kToken +
                 ".gif\" width=\"1\" height=\"1\" alt=\"\" "
                 "style=\"display:block;border:0\">");
  TrackingLinks opens = links(true, false);
  CHECK(track("<html><body><p>x</p></body></html>", opens) == "<html><body><p>x</p>" + p + "</body></html>");
  CHECK(track("<BODY>x</BODY >\n", opens) == "<BODY>x" + p + "</BODY >\n");
  CHECK(track("<p>x</p>\n", opens) == "<p>x</p>\n" + p);
  CHECK(track("", opens) == p);
  CHECK(track("a</body>b</body>c", opens) == "a</body>b" + p + "</body>c");
  // A </body> that is no tag does not count.
  CHECK(track("x<!--</body>-->y", opens) == "x<!--</body>-->y" + p);
  CHECK(track("<p>x</bodyguard>", opens) == "<p>x</bodyguard>" + p);
  // opens only: the links stay; clicks only: no pixel; both off: nothing changes.
  CHECK(track("<a href=\"https://s.example/\"></body>", opens) ==
        "<a href=\"https://s.example/\">" + p + "</body>");
  CHECK(track("<a href=\"https://s.example/\"></body>", links(false, true)) ==
        "<a " + href("https://s.example/") + "></body>");
  CHECK(track("<a href=\"https://s.example/\"></body>", links(false, false)) ==
        "<a href=\"https://s.example/\"></body>");
  CHECK(track("<a href=\"https://s.example/\"></body>", links()) ==
        "<a " + href("https://s.example/") + ">" + p + "</body>");
}

TEST_CASE("tracking links: HTML left open is copied as it is, and the pixel still added") {
  const std::string p = pixel();
  const std::vector<std::string> cases = {"<a href=\"https://s.example/",
                                          "<a href='https://s.example/>x</a>",
                                          "<a href=",
                                          "<a href",
                                          "<a ",
                                          "<",
                                          "x<",
                                          "<!-- <a href=\"https://s.example/\">",
                                          "<!DOCTYPE",
                                          "<!--[if mso]",
                                          "<script><a href=\"https://s.example/\">",
                                          "< a href=\"https://s.example/\">",
                                          "<3 <a",
                                          "a & b &amp; <",
                                          std::string("<a href=\"https://s.example/\0x\">", 30)};
  for (const std::string& html : cases) {
    CAPTURE(html);
    std::string out;
    CHECK_NOTHROW(out = track(html, links()));
    bool open = html.find('>') == std::string::npos || html.find("'https") != std::string::npos ||
                html.starts_with("<!-- ") || html.starts_with("<script>");
    if (open) CHECK(out == html + p);
  }
  // A link before the part left open is tracked.
  CHECK(track("<a href=\"https://s.example/\">x<a href=\"https://t.example/") ==
        "<a " + href("https://s.example/") + ">x<a href=\"https://t.example/");
}

TEST_CASE("tracking links: big or adversarial input takes one pass") {
  const TrackingLinks t = links();
  auto start = std::chrono::steady_clock::now();
  // Each of these is quadratic for a scanner that restarts after what it could not close.
  std::string open_quotes, open_comments, many_links, amps, lts, scripts;
  for (int i = 0; i < 100000; ++i) {
    open_quotes += "<a href=\"x ";
    open_comments += "<!-- ";
    many_links += "<a href=\"https://s.example/\">";
    amps += "&amp";
    lts += "<<a";
    scripts += "<script>";
  }
  std::string huge = "<a title=\"" + std::string(4 << 20, 'x') + "\" href=\"https://s.example/" +
                     std::string(1 << 20, 'y') + "\">";
  for (const std::string* html : {&open_quotes, &open_comments, &many_links, &amps, &lts, &scripts, &huge})
    CHECK_NOTHROW(add_tracking(*html, t, kToken, kUnsubscribe));
  std::string big_href = "<a href=\"https://s.example/?" + amps + "\">";
  CHECK(track(big_href).find(percent_encode("https://s.example/?&amp&amp")) != std::string::npos);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(seconds < 20);  // a quadratic scan takes hours here; a linear one well under a second
  CHECK(track(many_links).size() == 100000 * ("<a " + href("https://s.example/") + ">").size());
}

TEST_CASE("tracking links: random bytes never throw, and with clicks off only the pixel is added") {
  const char alphabet[] = "<>\"'=/!-[]&;#x ahrefHREFbody:tps.\n\0";
  std::uint32_t seed = 12345;
  const std::string p = pixel();
  for (int round = 0; round < 2000; ++round) {
    std::string html;
    int size = static_cast<int>(seed % 200);
    for (int i = 0; i < size; ++i) {
      seed = seed * 1664525u + 1013904223u;
      html += alphabet[(seed >> 16) % (sizeof alphabet - 1)];
    }
    std::string all;
    CHECK_NOTHROW(all = track(html, links()));
    std::string opens = track(html, links(true, false));
    std::size_t at = opens.find(p);
    REQUIRE(at != std::string::npos);
    CHECK(opens.erase(at, p.size()) == html);
    CHECK(track(html, links(false, false)) == html);
  }
}

TEST_CASE("tracking links: tracking.opens and tracking.clicks, true by default") {
  const std::string file = "/etc/mailer/mailer.toml";
  Config c = parse_config("[tracking]\nbase_url = \"https://t.example/\"\n", file);
  CHECK(c.tracking_opens);
  CHECK(c.tracking_clicks);
  auto t = mail::tracking_links(c, kKey);
  REQUIRE(t);
  CHECK(t->base_url == "https://t.example");
  CHECK(t->key == kKey);
  CHECK((t->opens && t->clicks));
  c = parse_config("[tracking]\nbase_url = \"https://t.example\"\nopens = false\n", file);
  CHECK((!c.tracking_opens && c.tracking_clicks));
  c = parse_config("[tracking]\nbase_url = \"https://t.example\"\nopens = false\nclicks = false\n", file);
  CHECK(!mail::tracking_links(c, kKey));
  CHECK(!mail::tracking_links(parse_config("", file), kKey));
  for (std::string value : {"\"false\"", "0", "1", "\"yes\""}) {
    CAPTURE(value);
    try {
      parse_config("[tracking]\n\nclicks = " + value + "\n", file);
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(std::string(e.what()) == file + ":3: tracking.clicks: expected true or false");
      CHECK(e.exit_code() == 78);
    }
  }
}
