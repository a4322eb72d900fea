// Post bodies to HTML (cmark, CMARK_OPT_SAFE) and their plain-text excerpts: a post cannot
// inject script into the exported site (issue 11: a <script>, an <img onerror> and a
// javascript: link never reach the HTML).
#include <doctest/doctest.h>

#include <cctype>
#include <string>

#include "mailer/core/markdown.hpp"

using namespace mailer;

TEST_CASE("markdown: CommonMark becomes HTML") {
  const std::string html =
      markdown_to_html("# Заголовок\n\nАбзац с **жирным** и *курсивом*.\n\n- один\n- два\n");
  CHECK(html.find("<h1>Заголовок</h1>") != std::string::npos);
  CHECK(html.find("<strong>жирным</strong>") != std::string::npos);
  CHECK(html.find("<em>курсивом</em>") != std::string::npos);
  CHECK(html.find("<li>один</li>") != std::string::npos);
  CHECK(markdown_to_html("[сайт](https://shop.example/a?b=1&c=2)") ==
        "<p><a href=\"https://shop.example/a?b=1&amp;c=2\">сайт</a></p>\n");
}

TEST_CASE("markdown: raw HTML in a post never reaches the HTML") {
  for (const char* hostile :
       {"<script>alert(1)</script>", "text <script>alert(1)</script> more", "<img src=x onerror=alert(1)>",
        "a <img src=x onerror=alert(1)> b", "<iframe src=\"https://evil.example\"></iframe>",
        "<a href=\"javascript:alert(1)\">x</a>"}) {
    const std::string html = markdown_to_html(hostile);
    CAPTURE(hostile);
    CAPTURE(html);
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("onerror") == std::string::npos);
    CHECK(html.find("<iframe") == std::string::npos);
    CHECK(html.find("javascript:") == std::string::npos);
  }
}

TEST_CASE("markdown: javascript:, vbscript: and data: links and images are emptied") {
  CHECK(markdown_to_html("[x](javascript:alert(1))") == "<p><a href=\"\">x</a></p>\n");
  CHECK(markdown_to_html("![x](javascript:alert(1))") == "<p><img src=\"\" alt=\"x\" /></p>\n");
  for (const char* hostile :
       {"[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))", "[x](vbscript:msgbox)",
        "![x](javascript:alert(1))", "[x](data:text/html;base64,PHNjcmlwdD4=)", "<javascript:alert(1)>"}) {
    std::string html = markdown_to_html(hostile);
    CAPTURE(hostile);
    CAPTURE(html);
    for (char& c : html) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    // The autolink's text may say "javascript:"; no attribute may hold such a URL.
    CHECK(html.find("=\"javascript:") == std::string::npos);
    CHECK(html.find("=\"vbscript:") == std::string::npos);
    CHECK(html.find("=\"data:text/html") == std::string::npos);
  }
}

TEST_CASE("markdown: text that looks like markup is escaped, and invalid UTF-8 replaced") {
  CHECK(markdown_to_html("1 < 2 & \"3\"") == "<p>1 &lt; 2 &amp; &quot;3&quot;</p>\n");
  CHECK(markdown_to_html("`<script>`") == "<p><code>&lt;script&gt;</code></p>\n");
  CHECK(markdown_to_html("bad \xff byte") == "<p>bad \xef\xbf\xbd byte</p>\n");
}

TEST_CASE("markdown: the excerpt is the text without markup") {
  CHECK(markdown_excerpt(
            "# Заголовок\n\nАбзац с **жирным** и [ссылкой](https://x.example).\n\n- один\n- два\n", 200) ==
        "Заголовок Абзац с жирным и ссылкой. один два");
  CHECK(markdown_excerpt("<script>alert(1)</script>\n\nТекст", 200) == "Текст");
  CHECK(markdown_excerpt("", 10).empty());
}

TEST_CASE("markdown: a long excerpt is cut at a word, counting code points, with an ellipsis") {
  const std::string text = "Весенняя распродажа в магазине Ромашка начинается в понедельник";
  const std::string cut = markdown_excerpt(text, 30);
  CHECK(cut == "Весенняя распродажа в\u2026");
  CHECK(markdown_excerpt(text, 1000) == text);
  // One word longer than the limit is cut inside it.
  CHECK(markdown_excerpt("Абвгдеёжзийклмнопрстуфхцчшщ", 5) == "Абвг\u2026");
}
