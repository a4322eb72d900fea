#pragma once
// `mailer blog export DIR`: the static site of the published posts, as files in memory (no I/O
// here; blog_export.cpp writes them). Every page links relatively, so the site works from
// file:// as well as from any web server; no page holds or loads a script.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailer/base/records/posts.hpp"
#include "mailer/base/time.hpp"

namespace mailer::cli {

// One published post and its image's bytes, when it has one.
struct SitePost {
  Post post;
  std::optional<PostImage> image;
};

struct SiteInput {
  std::vector<SitePost> posts;          // any order: the site lists them newest first
  std::optional<std::string> base_url;  // normalized (normalize_base_url); none: relative only
  Time exported_at = 0;                 // the feed's <updated> and the pages' footer
  std::string title = "Blog";
};

// One file of the site: its path relative to the site's directory ('/' between parts) and
// its bytes.
struct SiteFile {
  std::string path;
  std::string bytes;
};

// ASCII slug of a title: Cyrillic transliterated (ICAO Doc 9303, see blog_site.cpp), ASCII
// letters lowercased, every run of anything else one '-', no '-' at either end, at most
// kMaxSlugBytes bytes (cut at a '-' when one is near); "post" when nothing is left.
inline constexpr std::size_t kMaxSlugBytes = 60;
std::string post_slug(std::string_view title);

// "<id>-<slug>": the name of the post's page and image, unique by the id.
std::string post_stem(const Post& post);

// The file extension of an image type ("png", "jpg", "gif", "webp"); none for another type.
std::optional<std::string> image_extension(std::string_view type);

// An absolute http:// or https:// URL with a host, without user information, query,
// fragment, space or control character, its trailing '/'s removed; none otherwise.
std::optional<std::string> normalize_base_url(std::string_view url);

// index.html, style.css, feed.xml, posts/<stem>.html per post, images/<stem>.<ext> per image.
std::vector<SiteFile> render_blog_site(const SiteInput& input);

}  // namespace mailer::cli
