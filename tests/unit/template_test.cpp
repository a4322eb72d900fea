// Message templates (SPEC §1; issue 8 item 2, issue 7 item 10): the caps that keep a hostile
// template from mustache, the single scan that checks every section, and the unsubscribe rule.
#include "mailer/core/template.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <kainjow/mustache.hpp>
#include <random>
#include <string>

#include "mailer/base/error.hpp"

namespace {

using mailer::check_template;
using mailer::Errc;
using mailer::Error;
using mailer::kMaxSectionDepth;
using mailer::kMaxTemplateBytes;
using mailer::MessageRenderer;
using mailer::render_template;
using mailer::TemplateValues;

// The message of the Error{data} that fn throws ("" and a failed check when it throws none).
std::string refusal(auto&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    CHECK(e.code() == Errc::data);
    CHECK(!e.hint().empty());
    return e.what();
  }
  FAIL("no error thrown");
  return {};
}

std::string repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

std::string nested(int depth, std::string_view open = "{{#name}}", std::string_view close = "{{/name}}") {
  return repeat(open, depth) + "x" + repeat(close, depth);
}

}  // namespace

TEST_CASE("template: sections may nest 32 deep, not 33, whichever kind") {
  CHECK_NOTHROW(check_template(nested(kMaxSectionDepth), "--body"));
  CHECK(refusal([] { check_template(nested(kMaxSectionDepth + 1), "--body"); }) ==
        "--body: template error: sections nested more than 32 deep");
  CHECK_NOTHROW(check_template(nested(kMaxSectionDepth, "{{^email}}", "{{/email}}"), "--body"));
  CHECK(!refusal([] {
           check_template(nested(kMaxSectionDepth + 1, "{{^email}}", "{{/email}}"), "--body");
         }).empty());
  // Depth, not count: many sections one after another are fine.
  std::string flat;
  for (int i = 0; i < 5000; ++i) flat += "{{#name}}{{name}}{{/name}}";
  CHECK_NOTHROW(check_template(flat, "--body"));
}

TEST_CASE("template: the issue's 20,000 nested sections are refused at once") {
  std::string body = nested(20000);
  CHECK(body.size() == 360001);
  auto start = std::chrono::steady_clock::now();
  CHECK(refusal([&] { check_template(body, "--body"); }).find("nested more than 32") != std::string::npos);
  CHECK(refusal([&] {
          render_template(body, TemplateValues{"Ann", "a@example.com", ""}, false);
        }).find("nested more than 32") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(200));
}

TEST_CASE("template: delimiter changes cannot hide sections from the depth count") {
  // The same 33 levels written with other delimiters, switched back and forth.
  CHECK(!refusal([] {
           check_template("{{=<% %>=}}" + nested(33, "<%#name%>", "<%/name%>"), "--body");
         }).empty());
  // 16 levels under <% %>, 17 more after switching back to braces.
  CHECK(!refusal([] {
           check_template("{{=<% %>=}}" + repeat("<%#name%>", 16) + "<%={{ }}=%>" + nested(17) +
                              "{{=<% %>=}}" + repeat("<%/name%>", 16),
                          "--body");
         }).empty());
  CHECK_NOTHROW(check_template("{{=<% %>=}}" + repeat("<%#name%>", 16) + "<%={{ }}=%>" + nested(16) +
                                   "{{=<% %>=}}" + repeat("<%/name%>", 16),
                               "--body"));
  // After a change, "{{" is plain text: 40 of them open nothing.
  CHECK_NOTHROW(check_template("{{=<% %>=}}" + nested(40) + "<%name%>", "--body"));
  // A triple mustache is a variable, whatever its name starts with (as mustache reads it).
  CHECK(refusal([] { check_template("{{{#name}}}", "--body"); }) ==
        "--body: template error: unknown variable {{#name}}");
}

TEST_CASE("template: one scan finds unknown names in every kind of section, under any delimiters") {
  for (const char* text :
       {"{{#name}}{{^email}}{{#unsubscribe_url}}{{x}}{{/unsubscribe_url}}{{/email}}{{/name}}",
        "{{^name}}{{^email}}{{x}}{{/email}}{{/name}}", "{{=| |=}}|#name||^email||x||/email||/name|",
        "{{#name}}{{=<% %>=}}<%x%><%={{ }}=%>{{/name}}", "{{#x}}{{/x}}", "{{^x}}{{/x}}"}) {
    CAPTURE(text);
    CHECK(refusal([&] { check_template(text, "--body"); }).find("{{x}}") != std::string::npos);
  }
  CHECK(refusal([] { check_template("{{name}} {{! fine }} {{ nmae }}", "--subject"); }) ==
        "--subject: template error: unknown variable {{nmae}}");
}

TEST_CASE("template: the scan reads tags exactly as mustache parses them") {
  // Random strings of tag fragments: whenever mustache parses one, the check must agree with
  // it (a disagreement is refused as "a tag that cannot be read", which would fail here), and
  // whenever mustache refuses one, so does the check.
  const std::vector<std::string> pieces = {"{{",          "}}",    "{{{", "}}}", "#",  "^",  "/",
                                           "name",        "email", " ",   "=",   "<%", "%>", "{{=<% %>=}}",
                                           "<%={{ }}=%>", "!",     "&",   "\n",  "x",  "."};
  std::mt19937 rng(20240611);
  int parsed = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    int n = 1 + static_cast<int>(rng() % 12);
    for (int i = 0; i < n; ++i) text += pieces[rng() % pieces.size()];
    kainjow::mustache::mustache tmpl{text};
    CAPTURE(text);
    try {
      check_template(text, "--body");
      CHECK(tmpl.is_valid());
      ++parsed;
    } catch (const Error& e) {
      std::string what = e.what();
      CHECK(what.find("cannot be read") == std::string::npos);
      if (tmpl.is_valid()) {
        CHECK((what.find("unknown variable") != std::string::npos ||
               what.find("partials") != std::string::npos));
      }
    }
  }
  CHECK(parsed > 100);
}

TEST_CASE("template: longer than 1 MiB is refused before mustache parses it") {
  std::string big(kMaxTemplateBytes, 'a');
  CHECK_NOTHROW(check_template(big, "--body"));
  big += "a";
  CHECK(refusal([&] {
          check_template(big, "--body");
        }).rfind("--body: template error: longer than 1048576 bytes", 0) == 0);
}

TEST_CASE("template: {{unsubscribe_url}} without an unsubscribe link is refused, unless guarded") {
  std::string what = refusal([] { check_template("Отписаться: {{unsubscribe_url}}", "--body", false); });
  CHECK(what.find("tracking.base_url") != std::string::npos);
  CHECK(what.rfind("--body: ", 0) == 0);
  CHECK(!refusal([] { check_template("{{{unsubscribe_url}}}", "--html-file", false); }).empty());
  CHECK(
      !refusal([] { check_template("{{#name}}{{&unsubscribe_url}}{{/name}}", "--subject", false); }).empty());
  CHECK(!refusal([] {
           check_template("{{^unsubscribe_url}}{{unsubscribe_url}}{{/unsubscribe_url}}", "--body", false);
         }).empty());
  // Rendered only when there is a link, or not a link at all.
  CHECK_NOTHROW(check_template("{{#unsubscribe_url}}Отписаться: {{unsubscribe_url}}{{/unsubscribe_url}}",
                               "--body", false));
  CHECK_NOTHROW(check_template(
      "{{#unsubscribe_url}}{{#name}}{{unsubscribe_url}}{{/name}}{{/unsubscribe_url}}", "--body", false));
  CHECK_NOTHROW(check_template("{{^unsubscribe_url}}no link{{/unsubscribe_url}}", "--body", false));
  CHECK_NOTHROW(check_template("Отписаться: {{unsubscribe_url}}", "--body", true));
  CHECK_NOTHROW(check_template("Hello {{name}}", "--body", false));
}

TEST_CASE("template: MessageRenderer renders the three templates for each recipient") {
  MessageRenderer r("{{#name}}{{name}}, {{/name}}скидка", "Здравствуйте, {{name}}! {{email}}",
                    std::string("<p>{{name}}</p><a href=\"{{unsubscribe_url}}\">x</a>"));
  CHECK(r.has_html());
  std::string subject, text, html;
  r.render(TemplateValues{"Анна & <Ко>", "anna@example.com", "https://x/u?a=1&b=2"}, subject, text, html);
  CHECK(subject == "Анна & <Ко>, скидка");
  CHECK(text == "Здравствуйте, Анна & <Ко>! anna@example.com");
  CHECK(html == "<p>Анна &amp; &lt;Ко&gt;</p><a href=\"https://x/u?a=1&amp;b=2\">x</a>");
  r.render(TemplateValues{"", "b@example.com", ""}, subject, text, html);
  CHECK(subject == "скидка");
  CHECK(text == "Здравствуйте, ! b@example.com");
  MessageRenderer plain("s", "b", std::nullopt);
  CHECK(!plain.has_html());
  CHECK(refusal([] { MessageRenderer bad("s", "{{x}}", std::nullopt); }) ==
        "body_text: template error: unknown variable {{x}}");
}
