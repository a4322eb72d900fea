// `mailer blog export`: the pages, the feed, the stylesheet and the file names of the static site
// (blog_site.hpp).
// Every text from the database is escaped; a body is HTML from cmark's safe mode (no raw HTML,
// no javascript: link). A Content-Security-Policy allows the site's own stylesheet and images
// and nothing else, so a page can neither run nor fetch anything even if a text slipped past.
#include "blog_site.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "html_escape.hpp"
#include "mailer/base/utf8.hpp"
#include "mailer/core/markdown.hpp"

namespace mailer::cli {
namespace {

// Cyrillic to ASCII by the table of ICAO Doc 9303 (7th ed., part 3), which Russian
// passports follow since 2014 ("Щука" shchuka, "Юля" iulia, "объявление" obieiavlenie): one
// fixed string per letter, whatever the letters around it, so a slug never depends on more
// than its title. Upper case maps to the same string as lower case.
constexpr std::array<const char*, 32> kBasic = {  // а (U+0430) .. я (U+044F)
    "a", "b", "v", "g", "d", "e",  "zh", "z",  "i",  "i",    "k",  "l", "m", "n", "o",  "p",
    "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "ie", "y", "",  "e", "iu", "ia"};
constexpr std::array<const char*, 16> kExtended = {  // ѐ (U+0450) .. џ (U+045F)
    "e", "e", "d", "g", "ie", "dz", "i", "i", "j", "lj", "nj", "c", "k", "i", "u", "dz"};

// The ASCII of a Cyrillic letter; none for another code point.
const char* transliterate(char32_t cp) {
  if (cp >= 0x410 && cp <= 0x42F) return kBasic[cp - 0x410];
  if (cp >= 0x430 && cp <= 0x44F) return kBasic[cp - 0x430];
  if (cp >= 0x400 && cp <= 0x40F) return kExtended[cp - 0x400];
  if (cp >= 0x450 && cp <= 0x45F) return kExtended[cp - 0x450];
  if (cp == 0x490 || cp == 0x491) return "g";  // Ґ ґ (Ukrainian)
  return nullptr;
}

bool is_alnum(char32_t cp) { return (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9'); }

bool is_uri_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("-._~:/?#[]@!$&'()*+,;=%").find(c) != std::string_view::npos;
}

constexpr std::size_t kExcerptChars = 280;

constexpr const char* kStyle =
    R"css(:root { color-scheme: light; --ink: #1b1f24; --muted: #5b6470; --line: #d8dde3; --link: #0b5cad; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 760px; padding: 24px 20px 40px; color: var(--ink); background: #fff;
  font: 17px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
a { color: var(--link); }
header.site { border-bottom: 1px solid var(--line); margin-bottom: 24px; }
header.site h1 { font-size: 28px; margin: 0 0 4px; }
header.site p { margin: 0 0 12px; }
h1 { font-size: 30px; line-height: 1.25; margin: 0 0 6px; }
h2 { font-size: 22px; line-height: 1.3; margin: 0 0 4px; }
.meta, footer { color: var(--muted); font-size: 14px; }
.meta { margin: 0 0 10px; }
article.summary { padding: 0 0 18px; margin: 0 0 18px; border-bottom: 1px solid var(--line); }
article.summary h2 a { text-decoration: none; }
figure { margin: 16px 0; }
figure img, .body img { max-width: 100%; height: auto; }
.body pre { overflow-x: auto; padding: 10px 12px; background: #f5f7f9; border-radius: 6px; }
.body code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 15px; }
.body blockquote { margin: 0; padding-left: 14px; border-left: 4px solid var(--line); color: var(--muted); }
footer { margin-top: 32px; }
)css";

// Text for XML: html_escape (ill-formed bytes and controls become U+FFFD), and the two code
// points XML 1.0 forbids that HTML allows (U+FFFE, U+FFFF) likewise.
std::string xml_escape(std::string_view text) {
  std::string out = html_escape(text);
  for (const char* bad : {"\xEF\xBF\xBE", "\xEF\xBF\xBF"})
    for (std::size_t at; (at = out.find(bad)) != std::string::npos;) out.replace(at, 3, "\xEF\xBF\xBD");
  return out;
}

std::string author_of(const Post& p) { return p.author_name.empty() ? "Anonymous" : p.author_name; }

std::string when(Time t) {
  return fmt::format("<time datetime=\"{}\">{}</time>", format_iso(t), html_escape(format_local(t)));
}

std::string meta_line(const Post& p) {
  std::string out = fmt::format("<p class=\"meta\">{} · {}", when(p.created_at), html_escape(author_of(p)));
  if (p.updated_at > p.created_at) out += fmt::format(" · updated {}", when(p.updated_at));
  return out + "</p>\n";
}

// The page around `main`; `root` leads from the page to the site's directory ("" or "../").
std::string page(const SiteInput& in, std::string_view root, const std::string& title, const std::string& top,
                 const std::string& main) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'self'; "
      "img-src 'self'; base-uri 'none'; form-action 'none'\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"referrer\" content=\"no-referrer\">\n<meta name=\"generator\" content=\"mailer\">\n";
  out += fmt::format("<title>{}</title>\n<link rel=\"stylesheet\" href=\"{}style.css\">\n",
                     html_escape(title), root);
  out +=
      fmt::format("<link rel=\"alternate\" type=\"application/atom+xml\" title=\"{}\" href=\"{}feed.xml\">\n",
                  html_escape(in.title), root);
  out += "</head>\n<body>\n<header class=\"site\">\n" + top + "</header>\n<main>\n" + main + "</main>\n";
  out += fmt::format("<footer>Exported {}. Times are local (UTC{}).</footer>\n</body>\n</html>\n",
                     when(in.exported_at), format_iso(in.exported_at).substr(19));
  return out;
}

std::string index_page(const SiteInput& in, const std::vector<const SitePost*>& posts) {
  const std::string top =
      fmt::format("<h1>{}</h1>\n<p><a href=\"feed.xml\">Atom feed</a></p>\n", html_escape(in.title));
  std::string main;
  if (posts.empty()) main = "<p>No posts are published yet.</p>\n";
  for (const SitePost* sp : posts) {
    const Post& p = sp->post;
    const std::string href = "posts/" + post_stem(p) + ".html";
    main += fmt::format("<article class=\"summary\">\n<h2><a href=\"{}\">{}</a></h2>\n", href,
                        html_escape(p.title));
    main += meta_line(p);
    const std::string excerpt = markdown_excerpt(p.body, kExcerptChars);
    if (!excerpt.empty()) main += "<p>" + html_escape(excerpt) + "</p>\n";
    main += fmt::format("<p><a href=\"{}\">Read the post</a></p>\n</article>\n", href);
  }
  return page(in, "", in.title, top, main);
}

std::string image_path(const SitePost& sp) {
  if (!sp.image) return {};
  const auto ext = image_extension(sp.image->type);
  return ext ? "images/" + post_stem(sp.post) + "." + *ext : std::string();
}

std::string post_page(const SiteInput& in, const SitePost& sp) {
  const Post& p = sp.post;
  const std::string top = fmt::format("<p><a href=\"../index.html\">← {}</a></p>\n", html_escape(in.title));
  std::string main = fmt::format("<article>\n<h1>{}</h1>\n", html_escape(p.title)) + meta_line(p);
  if (const std::string img = image_path(sp); !img.empty())
    main += fmt::format("<figure><img src=\"../{}\" alt=\"\"></figure>\n", img);
  main += "<div class=\"body\">\n" + markdown_to_html(p.body) + "</div>\n</article>\n";
  return page(in, "../", p.title + " – " + in.title, top, main);
}

// The UTC calendar date of `t` as "YYYY-MM-DD" (H. Hinnant's civil_from_days).
std::string utc_date(Time t) {
  std::int64_t z = (t >= 0 ? t : t - 86399) / 86400 + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
  return fmt::format("{:04}-{:02}-{:02}", era * 400 + yoe + (month <= 2), month, day);
}

// The tag URI authority (RFC 4151 DNSname) and path of the base URL: "example.com" and "/blog"
// for https://Example.com:8443/blog; "mailer.invalid" (RFC 2606: no one's name) and "" when
// there is no base URL or its host is no DNS name (an IP address).
std::pair<std::string, std::string> tag_authority(const std::optional<std::string>& base) {
  if (!base) return {"mailer.invalid", ""};
  const std::size_t start = base->find("://") + 3;
  const std::size_t slash = std::min(base->find('/', start), base->size());
  std::string host = base->substr(start, slash - start);
  host = host.substr(0, host.find(':'));
  std::transform(host.begin(), host.end(), host.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; });
  const bool dns = !host.empty() &&
                   host.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-.") == std::string::npos &&
                   host.find_first_of("abcdefghijklmnopqrstuvwxyz") != std::string::npos;
  return {dns ? host : "mailer.invalid", base->substr(slash)};
}

// Atom (RFC 4287). An entry's id is a tag URI (RFC 4151) minted from the base URL's host, the
// UTC day the post was written and its id: "tag:example.com,2026-12-03:/blog/posts/17". It
// stays the same when the title (and so the slug and the page's name) changes, or the post is
// edited or published again. Without --base-url the authority is "mailer.invalid": such a
// feed is for reading locally, its links are relative to feed.xml.
std::string feed(const SiteInput& in, const std::vector<const SitePost*>& posts) {
  const auto [authority, path] = tag_authority(in.base_url);
  const std::string prefix = in.base_url ? *in.base_url + "/" : std::string();
  std::string out =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n";
  out += fmt::format("<id>{}</id>\n", in.base_url ? xml_escape(prefix) : "tag:mailer.invalid,2026:blog");
  out += fmt::format("<title type=\"text\">{}</title>\n<updated>{}</updated>\n", xml_escape(in.title),
                     format_iso(in.exported_at));
  if (in.base_url)
    out += fmt::format("<link rel=\"self\" type=\"application/atom+xml\" href=\"{}feed.xml\"/>\n",
                       xml_escape(prefix));
  out +=
      fmt::format("<link rel=\"alternate\" type=\"text/html\" href=\"{}index.html\"/>\n", xml_escape(prefix));
  out += "<generator>mailer</generator>\n";
  for (const SitePost* sp : posts) {
    const Post& p = sp->post;
    out += "<entry>\n";
    out += fmt::format("<id>tag:{},{}:{}/posts/{}</id>\n", authority, utc_date(p.created_at),
                       xml_escape(path), p.id);
    out += fmt::format("<title type=\"text\">{}</title>\n", xml_escape(p.title));
    out += fmt::format("<updated>{}</updated>\n<published>{}</published>\n",
                       format_iso(std::max(p.updated_at, p.created_at)), format_iso(p.created_at));
    out += fmt::format("<author><name>{}</name></author>\n", xml_escape(author_of(p)));
    out += fmt::format("<link rel=\"alternate\" type=\"text/html\" href=\"{}posts/{}.html\"/>\n",
                       xml_escape(prefix), post_stem(p));
    out += fmt::format("<summary type=\"text\">{}</summary>\n",
                       xml_escape(markdown_excerpt(p.body, kExcerptChars)));
    out +=
        fmt::format("<content type=\"html\">{}</content>\n</entry>\n", xml_escape(markdown_to_html(p.body)));
  }
  return out + "</feed>\n";
}

}  // namespace

std::vector<SiteFile> render_blog_site(const SiteInput& in) {
  std::vector<const SitePost*> posts;
  for (const SitePost& sp : in.posts) posts.push_back(&sp);
  std::stable_sort(posts.begin(), posts.end(), [](const SitePost* a, const SitePost* b) {
    if (a->post.created_at != b->post.created_at) return a->post.created_at > b->post.created_at;
    return a->post.id > b->post.id;
  });
  std::vector<SiteFile> files;
  files.push_back({"index.html", index_page(in, posts)});
  files.push_back({"style.css", kStyle});
  files.push_back({"feed.xml", feed(in, posts)});
  for (const SitePost* sp : posts) {
    files.push_back({"posts/" + post_stem(sp->post) + ".html", post_page(in, *sp)});
    if (const std::string img = image_path(*sp); !img.empty()) files.push_back({img, sp->image->bytes});
  }
  return files;
}

std::string post_slug(std::string_view title) {
  std::string slug;
  bool dash = false;  // a run of other characters waits to become one '-'
  auto put = [&](std::string_view ascii) {
    if (ascii.empty()) return;  // ь: no letter, and no break in the word either
    if (dash && !slug.empty()) slug += '-';
    dash = false;
    slug += ascii;
  };
  for (std::size_t i = 0; i < title.size();) {
    char32_t cp = utf8::decode(title, i);
    if (cp >= 'A' && cp <= 'Z') cp += 'a' - 'A';
    if (is_alnum(cp)) {
      const char c = static_cast<char>(cp);
      put(std::string_view(&c, 1));
    } else if (const char* ascii = transliterate(cp)) {
      put(ascii);
    } else {
      dash = true;
    }
    if (slug.size() > kMaxSlugBytes) break;
  }
  if (slug.size() > kMaxSlugBytes) {
    const std::size_t cut = slug.rfind('-', kMaxSlugBytes);
    slug.resize(cut != std::string::npos && cut >= kMaxSlugBytes / 2 ? cut : kMaxSlugBytes);
    while (!slug.empty() && slug.back() == '-') slug.pop_back();
  }
  return slug.empty() ? "post" : slug;
}

std::string post_stem(const Post& post) { return std::to_string(post.id) + "-" + post_slug(post.title); }

std::optional<std::string> image_extension(std::string_view type) {
  if (type == "image/png") return "png";
  if (type == "image/jpeg") return "jpg";
  if (type == "image/gif") return "gif";
  if (type == "image/webp") return "webp";
  return std::nullopt;
}

std::optional<std::string> normalize_base_url(std::string_view url) {
  std::string u(url);
  for (std::size_t i = 0; i < u.size() && u[i] != ':'; ++i)
    if (u[i] >= 'A' && u[i] <= 'Z') u[i] += 'a' - 'A';  // the scheme is case-insensitive
  std::size_t host_start;
  if (u.starts_with("https://"))
    host_start = 8;
  else if (u.starts_with("http://"))
    host_start = 7;
  else
    return std::nullopt;
  for (char c : u)
    if (!is_uri_char(c)) return std::nullopt;  // space, control, non-ASCII, " < > \ ^ ` { | }
  if (u.find_first_of("?#") != std::string::npos) return std::nullopt;
  const std::size_t host_end = std::min(u.find('/', host_start), u.size());
  const std::string_view authority = std::string_view(u).substr(host_start, host_end - host_start);
  if (authority.empty() || authority.find('@') != std::string_view::npos || authority.front() == ':')
    return std::nullopt;
  while (u.ends_with('/')) u.pop_back();
  return u;
}

}  // namespace mailer::cli
