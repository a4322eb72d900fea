// cli/blog_site: the static site of `mailer blog export` (issue 11 point 3) — slugs, escaping,
// safe bodies, the Atom feed, images, order.
#include "cli/blog_site.hpp"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "mailer/base/time.hpp"

using mailer::Post;
using mailer::PostImage;
using mailer::cli::image_extension;
using mailer::cli::normalize_base_url;
using mailer::cli::post_slug;
using mailer::cli::render_blog_site;
using mailer::cli::SiteFile;
using mailer::cli::SiteInput;
using mailer::cli::SitePost;

namespace {

constexpr mailer::Time kDay = 86400;
constexpr mailer::Time kT0 = 1796256000;  // 2026-12-03T00:00:00Z

SitePost post(mailer::Id id, std::string title, std::string body, mailer::Time created,
              std::string author = "Ann Author") {
  SitePost sp;
  sp.post.id = id;
  sp.post.title = std::move(title);
  sp.post.body = std::move(body);
  sp.post.author_name = std::move(author);
  sp.post.published = true;
  sp.post.created_at = created;
  sp.post.updated_at = created;
  return sp;
}

std::map<std::string, std::string> by_path(const std::vector<SiteFile>& files) {
  std::map<std::string, std::string> out;
  for (const auto& f : files) {
    CHECK_MESSAGE(out.count(f.path) == 0, f.path);
    out[f.path] = f.bytes;
  }
  return out;
}

// A small XML well-formedness check: tags nest and close, attribute values are quoted,
// every '&' starts one of the references the site writes, no '<' in text.
bool well_formed(const std::string& xml, std::string& why) {
  std::vector<std::string> open;
  std::size_t i = 0;
  if (xml.rfind("<?xml", 0) == 0) i = xml.find("?>") + 2;
  while (i < xml.size()) {
    if (xml[i] == '&') {
      const std::size_t semi = xml.find(';', i);
      const std::string ref = semi == std::string::npos ? "" : xml.substr(i, semi - i + 1);
      if (ref != "&amp;" && ref != "&lt;" && ref != "&gt;" && ref != "&quot;" && ref != "&#39;")
        return why = "bad reference at " + std::to_string(i), false;
      i = semi + 1;
    } else if (xml[i] == '<') {
      const std::size_t end = xml.find('>', i);
      if (end == std::string::npos) return why = "unclosed tag", false;
      std::string tag = xml.substr(i + 1, end - i - 1);
      if (tag.find('<') != std::string::npos) return why = "'<' inside a tag: " + tag, false;
      std::size_t quotes = 0;
      for (char c : tag) quotes += c == '"';
      if (quotes % 2) return why = "unbalanced quotes in " + tag, false;
      const bool closing = tag.front() == '/', empty = tag.back() == '/';
      std::string name = tag.substr(closing, tag.find_first_of(" /", 1) - closing);
      if (closing) {
        if (open.empty() || open.back() != name) return why = "</" + name + "> closes nothing open", false;
        open.pop_back();
      } else if (!empty) {
        open.push_back(name);
      }
      i = end + 1;
    } else {
      if (xml[i] == '>') return why = "'>' in text", false;
      ++i;
    }
  }
  if (!open.empty()) return why = "<" + open.back() + "> never closed", false;
  return true;
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE(
    "blog_site: slugs transliterate Cyrillic by ICAO Doc 9303, lowercase, and join other runs with '-'") {
  CHECK(post_slug("Привет, мир!") == "privet-mir");
  CHECK(post_slug("Щука и ёж: объявление для Юли") == "shchuka-i-ezh-obieiavlenie-dlia-iuli");
  CHECK(post_slug("Хороший ЦВЕТ чая, съешь") == "khoroshii-tsvet-chaia-sieesh");
  CHECK(post_slug("Ґанок і їжак, Європа") == "ganok-i-izhak-ievropa");
  CHECK(post_slug("Hello, World! 2026") == "hello-world-2026");
  CHECK(post_slug("  --C++20 & you--  ") == "c-20-you");
  CHECK(post_slug("Café") == "caf");
  CHECK(post_slug("") == "post");
  CHECK(post_slug("!!! ??? 🙂") == "post");
  CHECK(post_slug("\xff\xfe") == "post");
}

TEST_CASE("blog_site: a long title's slug is cut to 60 bytes at a word, never ending in '-'") {
  const std::string slug = post_slug(std::string(40, 'a') + " " + std::string(40, 'b'));
  CHECK(slug == std::string(40, 'a'));
  const std::string one_word = post_slug(std::string(100, 'x'));
  CHECK(one_word == std::string(60, 'x'));
  const std::string cyr = post_slug("Щщщщщщщщщщщщщщщщщщщщщщщщщщщщщщ");  // 30 × "shch"
  CHECK(cyr.size() <= 60);
  CHECK(cyr.size() >= 56);
  CHECK(cyr.back() != '-');
}

TEST_CASE("blog_site: images get the extension of their type; pages and images are named <id>-<slug>") {
  CHECK(image_extension("image/png") == "png");
  CHECK(image_extension("image/jpeg") == "jpg");
  CHECK(image_extension("image/gif") == "gif");
  CHECK(image_extension("image/webp") == "webp");
  CHECK_FALSE(image_extension("image/svg+xml"));
  SiteInput in;
  in.exported_at = kT0;
  const char* types[] = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"};
  for (int i = 0; i < 5; ++i) {
    SitePost sp = post(i + 1, "Картинка " + std::to_string(i), "text", kT0 - i * kDay);
    sp.image = PostImage{types[i], "bytes-" + std::to_string(i)};
    in.posts.push_back(sp);
  }
  const auto files = by_path(render_blog_site(in));
  CHECK(files.at("images/1-kartinka-0.png") == "bytes-0");
  CHECK(files.at("images/2-kartinka-1.jpg") == "bytes-1");
  CHECK(files.at("images/3-kartinka-2.gif") == "bytes-2");
  CHECK(files.at("images/4-kartinka-3.webp") == "bytes-3");
  CHECK(files.count("posts/5-kartinka-4.html") == 1);
  for (const auto& [path, bytes] : files)
    CHECK_MESSAGE(path.find("images/5-") != 0, path);  // SVG not exported
  CHECK(files.at("posts/1-kartinka-0.html").find("<img src=\"../images/1-kartinka-0.png\"") !=
        std::string::npos);
  CHECK(files.at("posts/5-kartinka-4.html").find("<img") == std::string::npos);
}

TEST_CASE("blog_site: titles and author names are escaped on every page and in the feed") {
  SiteInput in;
  in.exported_at = kT0;
  in.posts.push_back(post(7, "<b>Bold</b> & \"quoted\"", "body", kT0, "<i>Eve</i> O'Neil"));
  const auto files = by_path(render_blog_site(in));
  for (const auto& [path, bytes] : files) {
    INFO(path);
    CHECK(bytes.find("<b>Bold") == std::string::npos);
    CHECK(bytes.find("<i>Eve") == std::string::npos);
  }
  CHECK(files.at("index.html").find("&lt;b&gt;Bold&lt;/b&gt; &amp; &quot;quoted&quot;") != std::string::npos);
  CHECK(files.at("index.html").find("&lt;i&gt;Eve&lt;/i&gt; O&#39;Neil") != std::string::npos);
  CHECK(files.at("posts/7-b-bold-b-quoted.html").find("<h1>&lt;b&gt;Bold") != std::string::npos);
  CHECK(files.at("feed.xml").find("<name>&lt;i&gt;Eve&lt;/i&gt; O&#39;Neil</name>") != std::string::npos);
}

TEST_CASE("blog_site: a script, an onerror attribute or a javascript: link in a body reaches no file") {
  SiteInput in;
  in.exported_at = kT0;
  in.base_url.emplace("https://blog.example.com");
  in.posts.push_back(
      post(1, "Hostile",
           "Hello <script>alert(1)</script> there\n\n<img src=x onerror=alert(1)>\n\n"
           "[x](javascript:alert(1)) and [y](JavaScript:alert(2))\n\n<script>\nalert(3)\n</script>\n",
           kT0));
  const auto files = render_blog_site(in);
  for (const auto& f : files) {
    INFO(f.path);
    std::string lower = f.bytes;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    CHECK(lower.find("<script") == std::string::npos);
    CHECK(lower.find("onerror") == std::string::npos);
    CHECK(lower.find("javascript:") == std::string::npos);
  }
  const auto by = by_path(files);
  CHECK(by.at("posts/1-hostile.html").find("Hello") != std::string::npos);  // the text stays
}

TEST_CASE("blog_site: every page has the CSP, the local stylesheet, relative links and no script") {
  SiteInput in;
  in.exported_at = kT0;
  in.posts.push_back(post(1, "One", "*one*", kT0));
  const auto files = by_path(render_blog_site(in));
  for (const std::string page : {"index.html", "posts/1-one.html"}) {
    INFO(page);
    const std::string& html = files.at(page);
    CHECK(html.find(
              "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'self'; "
              "img-src 'self'") != std::string::npos);
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("href=\"http") == std::string::npos);
    CHECK(html.find("src=\"/") == std::string::npos);
    CHECK(html.find("href=\"/") == std::string::npos);
  }
  CHECK(files.at("index.html").find("<link rel=\"stylesheet\" href=\"style.css\">") != std::string::npos);
  CHECK(files.at("index.html").find("<a href=\"posts/1-one.html\">One</a>") != std::string::npos);
  CHECK(files.at("posts/1-one.html").find("<link rel=\"stylesheet\" href=\"../style.css\">") !=
        std::string::npos);
  CHECK(files.at("posts/1-one.html").find("<a href=\"../index.html\">") != std::string::npos);
  CHECK(files.at("posts/1-one.html").find("<em>one</em>") != std::string::npos);
  CHECK(files.at("style.css").find("body {") != std::string::npos);
}

TEST_CASE("blog_site: the index lists posts newest first with date, author and excerpt") {
  SiteInput in;
  in.exported_at = kT0;
  in.posts.push_back(post(1, "Oldest", "first body", kT0 - 3 * kDay, "Ann"));
  in.posts.push_back(post(3, "Newest", "third **body**", kT0 - kDay, "Bob"));
  in.posts.push_back(post(2, "Middle", "second body", kT0 - 2 * kDay, "Cy"));
  const auto files = render_blog_site(in);
  const auto by = by_path(files);
  const std::string& index = by.at("index.html");
  const auto newest = index.find("Newest"), middle = index.find("Middle"), oldest = index.find("Oldest");
  REQUIRE(newest != std::string::npos);
  CHECK(newest < middle);
  CHECK(middle < oldest);
  CHECK(index.find("third body") != std::string::npos);  // the excerpt, without markup
  CHECK(index.find(mailer::format_local(kT0 - kDay)) != std::string::npos);
  CHECK(index.find(mailer::format_iso(kT0 - kDay)) != std::string::npos);
  CHECK(index.find("Bob") != std::string::npos);
  const std::string& feed = by.at("feed.xml");
  CHECK(feed.find("/posts/3</id>") < feed.find("/posts/2</id>"));
  CHECK(feed.find("/posts/2</id>") < feed.find("/posts/1</id>"));
  CHECK(files[0].path == "index.html");
  CHECK(count_of(index, "<article") == 3);
  SiteInput none;
  none.exported_at = kT0;
  CHECK(by_path(render_blog_site(none)).at("index.html").find("No posts are published yet.") !=
        std::string::npos);
}

TEST_CASE("blog_site: the Atom feed is well-formed with the RFC 4287 elements and stable tag ids") {
  SiteInput in;
  in.exported_at = kT0;
  in.base_url.emplace("https://Blog.Example.com:8443/news");
  in.posts.push_back(
      post(5, "Тест & <проверка>", "Body with <b>html</b> & `code`\n\n- a\n- b\n", kT0 - kDay));
  in.posts.back().post.updated_at = kT0 - 10;
  in.posts.push_back(post(6, "\xEF\xBF\xBE odd \x01 bytes \xff", "x", kT0));
  const auto files = by_path(render_blog_site(in));
  const std::string& feed = files.at("feed.xml");
  std::string why;
  CHECK_MESSAGE(well_formed(feed, why), why);
  CHECK(feed.find("<feed xmlns=\"http://www.w3.org/2005/Atom\">") != std::string::npos);
  CHECK(feed.find("<id>https://Blog.Example.com:8443/news/</id>") != std::string::npos);
  CHECK(feed.find("<updated>" + mailer::format_iso(kT0) + "</updated>") != std::string::npos);
  CHECK(
      feed.find("<link rel=\"self\" type=\"application/atom+xml\" href=\"https://Blog.Example.com:8443/news/"
                "feed.xml\"/>") != std::string::npos);
  CHECK(feed.find("<id>tag:blog.example.com,2026-12-02:/news/posts/5</id>") != std::string::npos);
  CHECK(feed.find("<updated>" + mailer::format_iso(kT0 - 10) + "</updated>") != std::string::npos);
  CHECK(feed.find("<published>" + mailer::format_iso(kT0 - kDay) + "</published>") != std::string::npos);
  CHECK(feed.find("href=\"https://Blog.Example.com:8443/news/posts/5-test-proverka.html\"") !=
        std::string::npos);
  CHECK(feed.find("<content type=\"html\">&lt;p&gt;Body with") != std::string::npos);
  CHECK(feed.find("\xEF\xBF\xBE") == std::string::npos);  // not an XML character
  CHECK(feed.find('\x01') == std::string::npos);
  CHECK(count_of(feed, "<entry>") == 2);
  CHECK(count_of(feed, "<author><name>") == 2);
  // The id does not follow the title: a renamed post keeps it.
  in.posts[0].post.title = "Renamed";
  const std::string renamed = by_path(render_blog_site(in)).at("feed.xml");
  CHECK(renamed.find("<id>tag:blog.example.com,2026-12-02:/news/posts/5</id>") != std::string::npos);
  CHECK(renamed.find("posts/5-renamed.html") != std::string::npos);
}

TEST_CASE("blog_site: without a base URL the feed has no self link and relative links") {
  SiteInput in;
  in.exported_at = kT0;
  in.posts.push_back(post(2, "Two", "two", kT0));
  const std::string feed = by_path(render_blog_site(in)).at("feed.xml");
  std::string why;
  CHECK_MESSAGE(well_formed(feed, why), why);
  CHECK(feed.find("rel=\"self\"") == std::string::npos);
  CHECK(feed.find("<link rel=\"alternate\" type=\"text/html\" href=\"posts/2-two.html\"/>") !=
        std::string::npos);
  CHECK(feed.find("<id>tag:mailer.invalid,2026-12-03:/posts/2</id>") != std::string::npos);
  CHECK(feed.find("<id>tag:mailer.invalid,2026:blog</id>") != std::string::npos);
}

TEST_CASE("blog_site: a base URL is an absolute http or https URL with a host") {
  CHECK(normalize_base_url("https://example.com/") == "https://example.com");
  CHECK(normalize_base_url("HTTP://example.com/blog//") == "http://example.com/blog");
  CHECK(normalize_base_url("http://127.0.0.1:8080/b") == "http://127.0.0.1:8080/b");
  CHECK_FALSE(normalize_base_url("ftp://example.com"));
  CHECK_FALSE(normalize_base_url("example.com"));
  CHECK_FALSE(normalize_base_url("/blog"));
  CHECK_FALSE(normalize_base_url("https://"));
  CHECK_FALSE(normalize_base_url("https:///path"));
  CHECK_FALSE(normalize_base_url("https://user:pw@example.com"));
  CHECK_FALSE(normalize_base_url("https://example.com/a b"));
  CHECK_FALSE(normalize_base_url("https://example.com/?q=1"));
  CHECK_FALSE(normalize_base_url("https://example.com/#top"));
  CHECK_FALSE(normalize_base_url("https://example.com/\"><script>"));
  CHECK_FALSE(normalize_base_url("javascript:alert(1)"));
}
