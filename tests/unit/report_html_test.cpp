// cli/report_html: the `report --html` page (issue 10 point 4) — escaped, self-contained, and
// whole for empty data.
#include "cli/report_html.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <regex>
#include <string>
#include <vector>

#include "cli/html_escape.hpp"
#include "mailer/base/time.hpp"
#include "test_support.hpp"

using mailer::ActivityBucket;
using mailer::HtmlReport;
using mailer::MailingReport;
using mailer::cli::html_escape;
using mailer::cli::render_html_report;

namespace {

constexpr const char* kHostile = "<script>alert(1)</script>";

mailer::Time local(int y, int m, int d, int h = 0) { return mailer::from_local({y, m, d, h, 0, 0}); }

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Two mailings (one named with markup), three days with a gap, links and bounces with
// markup, quotes and Cyrillic.
HtmlReport sample() {
  HtmlReport r;
  r.title = "Отчёт магазина \"Ёлка\"";
  r.generated_at = mailer::from_local({2026, 12, 2, 15, 0, 0});
  MailingReport a;
  a.mailing = 1;
  a.name = "Зимняя распродажа";
  a.subject = "Скидки до 50% & подарки";
  a.recipients = 10, a.sent = 8, a.bounced = 1, a.failed = 1, a.opened = 4, a.opens = 7, a.clicked = 2;
  a.clicks = 3, a.unsubscribed = 1, a.delivery_rate = 0.8, a.open_rate = 0.5, a.click_rate = 0.25;
  MailingReport b;
  b.mailing = 2;
  b.name = kHostile;
  b.owner_email = "<b>@example.com";
  b.subject = kHostile;
  b.recipients = 10, b.sent = 9, b.deferred = 1, b.opened = 1, b.opens = 1;
  b.delivery_rate = 0.9, b.open_rate = 1.0 / 9;
  r.mailings = {a, b};
  r.days = {{local(2026, 12, 1), 12, 1, 1, 0, 3, 1},
            {local(2026, 12, 4), 5, 0, 0, 1, 2, 1},
            {local(2026, 12, 5), 0, 0, 0, 0, 3, 1}};
  r.top_links = {{"https://shop.example/sale?a=1&b=\"><script>x</script>", 3, 2},
                 {"https://shop.example/каталог", 1, 1}};
  r.bounce_events = {
      {0, "bounce", "userunknown", "hard", 3, 3, "550 5.1.1 <anna@example.com>: Нет такого ящика"},
      {0, "bounce", kHostile, "soft", 1, 1, kHostile}};
  r.bounce_reasons = {{550, "5.1.1 <ivan@example.com>: Пользователь не найден", 1},
                      {std::nullopt, kHostile, 2}};
  return r;
}

// Every tag opened is closed in order (void HTML elements and "/>" aside): the SVG is XML and
// the tables and sections nest.
bool balanced(const std::string& html, std::string& why) {
  std::vector<std::string> open;
  const std::regex tag(R"(<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>)");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), tag); it != std::sregex_iterator(); ++it) {
    const std::string name = lower((*it)[2]);
    if ((*it)[3] == "/" || name == "meta") continue;
    if ((*it)[1] == "/") {
      if (open.empty() || open.back() != name) {
        why = "</" + name + "> closes " + (open.empty() ? std::string("nothing") : open.back());
        return false;
      }
      open.pop_back();
    } else {
      open.push_back(name);
    }
  }
  if (!open.empty()) why = "<" + open.back() + "> is never closed";
  return open.empty();
}

// A NaN or an infinity as printf or fmt would write it.
bool has_non_finite(const std::string& html) {
  return std::regex_search(html, std::regex(R"((^|[^a-z])(-?nan|-?inf)([^a-z]|$))", std::regex::icase));
}

}  // namespace

TEST_CASE("report html: markup in a name, subject, URL or reason is escaped, and no script is in the page") {
  const std::string html = render_html_report(sample());
  CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(html.find("&lt;b&gt;@example.com") != std::string::npos);
  CHECK(html.find("sale?a=1&amp;b=&quot;&gt;&lt;script&gt;x&lt;/script&gt;") != std::string::npos);
  CHECK(html.find("&lt;ivan@example.com&gt;") != std::string::npos);
  CHECK(html.find("Скидки до 50% &amp; подарки") != std::string::npos);
  CHECK(lower(html).find("<script") == std::string::npos);
  CHECK_FALSE(std::regex_search(html, std::regex(R"(\son[a-z]+=)", std::regex::icase)));  // no handlers
  std::string why;
  CHECK_MESSAGE(balanced(html, why), why);
}

TEST_CASE("report html: the page fetches nothing; the only addresses are the top links' text") {
  std::string html = render_html_report(sample());
  CHECK(html.find("Content-Security-Policy\" content=\"default-src 'none'") != std::string::npos);
  for (const char* fetching : {"src=", "href=", "url(", "@import", "<link", "<img", "<iframe", "<object",
                               "<embed", "<base", "srcset", "@font-face"}) {
    CAPTURE(fetching);
    CHECK(lower(html).find(fetching) == std::string::npos);
  }
  // What remains after the SVG namespace names and the URL cells holds no address.
  html = std::regex_replace(html, std::regex(R"(xmlns="http://www\.w3\.org/2000/svg")"), "");
  html = std::regex_replace(html, std::regex(R"(<td class="url">[^<]*</td>)"), "");
  CHECK(lower(html).find("http:") == std::string::npos);
  CHECK(lower(html).find("https:") == std::string::npos);
  CHECK(lower(html).find("//") == std::string::npos);
}

TEST_CASE("report html: Cyrillic text is kept as UTF-8 under a charset declaration") {
  const std::string html = render_html_report(sample());
  CHECK(html.rfind("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">", 0) == 0);
  CHECK(html.find("<title>Отчёт магазина &quot;Ёлка&quot;</title>") != std::string::npos);
  CHECK(html.find("<td class=\"text\">Зимняя распродажа") != std::string::npos);
  CHECK(html.find("https://shop.example/каталог") != std::string::npos);
  CHECK(html.find("Пользователь не найден") != std::string::npos);
}

TEST_CASE("report html: rates of all mailings come from their sums, generated time in local time") {
  mailer::test::TzGuard tz("Europe/Moscow");
  const std::string html = render_html_report(sample());
  CHECK(html.find("<span class=\"figure\">85.0%</span><span class=\"name\">delivered</span>") !=
        std::string::npos);
  CHECK(html.find("<span class=\"figure\">29.4%</span><span class=\"name\">opened</span>") !=
        std::string::npos);
  CHECK(html.find("<span class=\"figure\">11.8%</span><span class=\"name\">clicked</span>") !=
        std::string::npos);
  CHECK(html.find("<td class=\"num\">80.0%</td><td class=\"num\">50.0%</td><td class=\"num\">25.0%</td>") !=
        std::string::npos);
  CHECK(html.find("<td class=\"num\">4<span class=\"raw\"> (7)</span></td>") != std::string::npos);
  CHECK(html.find("<time datetime=\"2026-12-02T15:00:00+03:00\">2026-12-02 15:00</time>") !=
        std::string::npos);
  CHECK(html.find("01.12.2026 – 05.12.2026") != std::string::npos);
}

TEST_CASE("report html: the charts lay the days out in order, a day without a bucket as a gap") {
  mailer::test::TzGuard tz("Europe/Moscow");
  const std::string html = render_html_report(sample());
  CHECK(html.find("<svg class=\"chart\"") != std::string::npos);
  for (const char* day : {">01.12<", ">02.12<", ">03.12<", ">04.12<", ">05.12<"}) {
    CAPTURE(day);
    CHECK(html.find(day) != std::string::npos);
  }
  CHECK(html.find("<title>01.12.2026: 12 sent, 1 deferred, 1 bounced, 0 failed</title>") !=
        std::string::npos);
  CHECK(html.find("<title>03.12.2026: 0 opens, 0 clicks</title>") != std::string::npos);
  // The stacked bar of 01.12 is 14 recipients tall on an axis to 15 (steps of 5).
  CHECK(html.find(">15</text>") != std::string::npos);
  CHECK(html.find(">20</text>") == std::string::npos);
  for (const char* legend :
       {">sent</text>", ">deferred</text>", ">bounced</text>", ">failed</text>", ">opens</text>",
        ">clicks</text>", ">recipients</text>", ">day (local time)</text>"}) {
    CAPTURE(legend);
    CHECK(html.find(legend) != std::string::npos);
  }
}

TEST_CASE("report html: every coordinate is a finite number inside the drawing") {
  for (const HtmlReport& r : {sample(), HtmlReport{}}) {
    const std::string html = render_html_report(r);
    const std::regex attr(R"re(\s(x|y|x1|y1|x2|y2|cx|cy|r|width|height)="([^"]*)")re");
    int seen = 0;
    for (auto it = std::sregex_iterator(html.begin(), html.end(), attr); it != std::sregex_iterator(); ++it) {
      const std::string value = (*it)[2];
      CAPTURE(value);
      REQUIRE(std::regex_match(value, std::regex(R"(\d+(\.\d)?)")));
      CHECK(std::stod(value) <= 960);
      ++seen;
    }
    CHECK((seen > 0) == !r.days.empty());
    CHECK_FALSE(has_non_finite(html));
  }
}

TEST_CASE("report html: the bounce events' reasons come first, then older bounces' replies with a note") {
  HtmlReport r = sample();
  std::string html = render_html_report(r);
  const auto event_row = html.find(
      "<tr><td>userunknown</td><td>hard</td><td class=\"num\">3</td><td class=\"reason\">550 5.1.1 "
      "&lt;anna@example.com&gt;: Нет такого ящика</td></tr>");
  const auto older_row = html.find("<td class=\"owner\">SMTP 550</td>");
  REQUIRE(event_row != std::string::npos);
  REQUIRE(older_row != std::string::npos);
  CHECK(event_row < older_row);
  CHECK(html.find("logged before mailer recorded why") != std::string::npos);
  r.bounce_reasons.clear();
  html = render_html_report(r);
  CHECK(html.find("SMTP 550") == std::string::npos);
  CHECK(html.find("logged before mailer recorded why") == std::string::npos);
  CHECK(html.find("<td>userunknown</td><td>hard</td>") != std::string::npos);
  CHECK(html.find("No bounces.") == std::string::npos);
}

TEST_CASE("report html: no data at all is a whole page with a note in each section") {
  HtmlReport empty;
  empty.title = "Пусто";
  const std::string html = render_html_report(empty);
  CHECK(html.find("<svg") == std::string::npos);
  CHECK(html.find("No deliveries in this period yet") != std::string::npos);
  CHECK(html.find("No opens or clicks recorded yet") != std::string::npos);
  CHECK(html.find("No mailings match this report.") != std::string::npos);
  CHECK(html.find("No clicks recorded yet.") != std::string::npos);
  CHECK(html.find("No bounces.") != std::string::npos);
  CHECK(html.find("<span class=\"figure\">0.0%</span>") != std::string::npos);
  CHECK_FALSE(has_non_finite(html));
  std::string why;
  CHECK_MESSAGE(balanced(html, why), why);
  CHECK(html.find("</html>\n") == html.size() - 8);
}

TEST_CASE("report html: zero figures and NaN rates draw no chart and print no NaN") {
  HtmlReport r;
  MailingReport m;
  m.name = "ноль";
  m.delivery_rate = std::nan("");
  m.open_rate = INFINITY;
  r.mailings = {m};
  r.days = {{local(2026, 12, 1), 0, 0, 0, 0, 0, 0}, {local(2026, 12, 2), 0, 0, 0, 0, 0, 0}};
  std::string html = render_html_report(r);
  CHECK(html.find("<svg") == std::string::npos);
  CHECK_FALSE(has_non_finite(html));
  CHECK(html.find("<td class=\"num\">0.0%</td><td class=\"num\">0.0%</td>") != std::string::npos);
  // Opens without a delivery in the period: the engagement chart alone.
  r.days[1].opens = 1;
  html = render_html_report(r);
  CHECK(html.find("aria-labelledby=\"engagement-title\"") != std::string::npos);
  CHECK(html.find("aria-labelledby=\"deliveries-title\"") == std::string::npos);
  CHECK_FALSE(has_non_finite(html));
}

TEST_CASE("report html: big figures are grouped in thousands") {
  HtmlReport r;
  MailingReport m;
  m.recipients = 1234567, m.sent = 1000;
  r.mailings = {m};
  const std::string html = render_html_report(r);
  CHECK(html.find("<td class=\"num\">1\u202F234\u202F567</td><td class=\"num\">1\u202F000</td>") !=
        std::string::npos);
}

TEST_CASE("html escape: markup, quotes, controls and ill-formed bytes") {
  CHECK(html_escape("a<b>&\"'") == "a&lt;b&gt;&amp;&quot;&#39;");
  CHECK(html_escape("Иван\tПетров\n") == "Иван\tПетров\n");
  CHECK(html_escape(std::string("x\0y", 3)) == "x\uFFFDy");
  CHECK(html_escape("\x1b[31m") == "\uFFFD[31m");
  CHECK(html_escape("\xD0") == "\uFFFD");  // half of a Cyrillic letter
}
