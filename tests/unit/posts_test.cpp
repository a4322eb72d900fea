// The blog's rules (SPEC §1 post, §2 blog, §4): every cell of the blog rows of the access
// matrix for each role, views, the author's edit that unpublishes, and images by their bytes.
#include <doctest/doctest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "mailer/core/posts.hpp"
#include "store_backends.hpp"

using namespace mailer;
using mailer::test::code_of;

namespace {

const std::string kPng = std::string("\x89PNG\r\n\x1a\n", 8) + std::string("\0\0\0\rIHDR", 8);
const std::string kJpeg = std::string("\xff\xd8\xff\xe0\0\x10JFIF\0", 11);
const std::string kGif = "GIF89a\x01\0\x01\0";
const std::string kWebp = std::string("RIFF\x1a\0\0\0WEBPVP8L", 16);

// A database with an account for each role; `as(role)` acts as it.
struct Blog {
  test::SqliteMemoryBackend backend;
  store::Database& db = backend.db();
  Actor user{backend.seed_account("user@example.com"), static_cast<unsigned>(Role::user)};
  Actor other{backend.seed_account("other@example.com"), static_cast<unsigned>(Role::user)};
  Actor manager{backend.seed_account("manager@example.com"),
                static_cast<unsigned>(Role::user) | static_cast<unsigned>(Role::manager)};
  Actor content{backend.seed_account("content@example.com"),
                static_cast<unsigned>(Role::user) | static_cast<unsigned>(Role::content_manager)};
  Actor super{backend.seed_account("root@example.com"),
              static_cast<unsigned>(Role::user) | static_cast<unsigned>(Role::superuser)};

  std::vector<Actor> roles() const { return {user, manager, content, super}; }
  std::vector<Actor> editors() const { return {manager, content, super}; }

  Id draft(const Actor& by, const std::string& title = "Пост") {
    return add_post(db, by, title, "Текст *поста*", std::nullopt, 1'790'000'000).id;
  }
  Id published(const Actor& by, const std::string& title = "Пост") {
    Id id = draft(by, title);
    publish_post(db, content, id, true, 1'790'000'100);
    return id;
  }
};

bool has(const std::vector<Post>& posts, Id id) {
  return std::any_of(posts.begin(), posts.end(), [id](const Post& p) { return p.id == id; });
}

}  // namespace

TEST_CASE("blog: a published post is read by anyone, even logged out") {
  Blog b;
  const Id id = b.published(b.other, "Опубликовано");
  CHECK(has(list_posts(b.db, std::nullopt, false), id));
  CHECK(show_post(b.db, std::nullopt, id, false).title == "Опубликовано");
  for (const Actor& a : b.roles()) {
    CHECK(has(list_posts(b.db, a, false), id));
    CHECK(show_post(b.db, a, id, false).id == id);
  }
}

TEST_CASE("blog: an unpublished post is not there for the logged out nor another plain user") {
  Blog b;
  const Id id = b.draft(b.other);
  CHECK_FALSE(has(list_posts(b.db, std::nullopt, false), id));
  CHECK(code_of([&] { show_post(b.db, std::nullopt, id, false); }) == Errc::not_found);
  CHECK(code_of([&] { show_post(b.db, b.user, id, false); }) == Errc::not_found);
  CHECK(code_of([&] { post_image(b.db, b.user, id); }) == Errc::not_found);
  CHECK(show_post(b.db, b.other, id, false).id == id);
  for (const Actor& a : b.editors()) CHECK(show_post(b.db, a, id, false).id == id);
}

TEST_CASE("blog: every role writes, edits and removes its own posts") {
  Blog b;
  for (const Actor& a : b.roles()) {
    const Id id = b.draft(a, "Мой пост");
    CHECK(show_post(b.db, a, id, false).author == a.id);
    PostChanges c;
    c.title = "Мой пост (правка)";
    CHECK(edit_post(b.db, a, id, c, 1'790'000'200).post.title == "Мой пост (правка)");
    remove_post(b.db, a, id);
    CHECK(code_of([&] { show_post(b.db, a, id, false); }) == Errc::not_found);
  }
}

TEST_CASE("blog: publish, unpublish and edit any post is for managers, content managers and superusers") {
  Blog b;
  for (const Actor& editor : b.editors()) {
    const Id id = b.draft(b.other);
    CHECK(publish_post(b.db, editor, id, true, 1'790'000'100).published);
    CHECK(has(list_posts(b.db, std::nullopt, false), id));
    PostChanges c;
    c.body = "Правка редактора";
    PostEdit e = edit_post(b.db, editor, id, c, 1'790'000'200);
    CHECK(e.post.body == "Правка редактора");
    CHECK(e.post.published);
    CHECK_FALSE(e.unpublished_by_edit);
    CHECK_FALSE(publish_post(b.db, editor, id, false, 1'790'000'300).published);
    CHECK_FALSE(has(list_posts(b.db, std::nullopt, false), id));
    remove_post(b.db, editor, id);
  }
}

TEST_CASE("blog: a plain user may not publish, unpublish, edit or remove another's post") {
  Blog b;
  const Id own = b.draft(b.user);
  CHECK(code_of([&] { publish_post(b.db, b.user, own, true, 1); }) == Errc::permission);
  const Id draft = b.draft(b.other);
  // Another's draft does not exist for them at all.
  CHECK(code_of([&] { publish_post(b.db, b.user, draft, true, 1); }) == Errc::not_found);
  CHECK(code_of([&] { remove_post(b.db, b.user, draft); }) == Errc::not_found);
  const Id pub = b.published(b.other);
  PostChanges c;
  c.title = "Чужое";
  CHECK(code_of([&] { publish_post(b.db, b.user, pub, false, 1); }) == Errc::permission);
  CHECK(code_of([&] { edit_post(b.db, b.user, pub, c, 1); }) == Errc::permission);
  CHECK(code_of([&] { remove_post(b.db, b.user, pub); }) == Errc::permission);
  CHECK(show_post(b.db, std::nullopt, pub, false).title == "Пост");
  CHECK(show_post(b.db, std::nullopt, pub, false).published);
}

TEST_CASE("blog: list --all shows drafts to their author and everyone's to editors; not logged out") {
  Blog b;
  const Id mine = b.draft(b.user);
  const Id theirs = b.draft(b.other);
  auto own = list_posts(b.db, b.user, true);
  CHECK(has(own, mine));
  CHECK_FALSE(has(own, theirs));
  CHECK_FALSE(has(list_posts(b.db, b.user, false), mine));
  for (const Actor& a : b.editors()) {
    auto all = list_posts(b.db, a, true);
    CHECK(has(all, mine));
    CHECK(has(all, theirs));
  }
  CHECK(code_of([&] { list_posts(b.db, std::nullopt, true); }) == Errc::permission);
}

TEST_CASE("blog: posts are listed newest first") {
  Blog b;
  const Id first = add_post(b.db, b.user, "Первый", "a", std::nullopt, 1'790'000'000).id;
  const Id second = add_post(b.db, b.user, "Второй", "b", std::nullopt, 1'790'000'500).id;
  publish_post(b.db, b.content, first, true, 1'790'001'000);
  publish_post(b.db, b.content, second, true, 1'790'001'000);
  auto posts = list_posts(b.db, std::nullopt, false);
  REQUIRE(posts.size() == 2);
  CHECK(posts[0].id == second);
  CHECK(posts[1].id == first);
}

TEST_CASE("blog: an author's edit of a published post takes it back until published again") {
  Blog b;
  const Id id = b.published(b.user);
  PostChanges c;
  c.title = "Новый заголовок";
  PostEdit e = edit_post(b.db, b.user, id, c, 1'790'000'500);
  CHECK(e.unpublished_by_edit);
  CHECK_FALSE(e.post.published);
  CHECK(e.post.updated_at == 1'790'000'500);
  CHECK(code_of([&] { show_post(b.db, std::nullopt, id, false); }) == Errc::not_found);
  // A draft's edit says nothing of the kind.
  CHECK_FALSE(edit_post(b.db, b.user, id, c, 1'790'000'600).unpublished_by_edit);
}

TEST_CASE("blog: a view is counted by showing a published post, not a draft") {
  Blog b;
  const Id id = b.published(b.other);
  CHECK(show_post(b.db, std::nullopt, id, true).views == 1);
  CHECK(show_post(b.db, b.user, id, true).views == 2);
  CHECK(show_post(b.db, b.user, id, false).views == 2);
  CHECK(list_posts(b.db, std::nullopt, false).front().views == 2);
  const Id draft = b.draft(b.other);
  CHECK(show_post(b.db, b.other, draft, true).views == 0);
}

TEST_CASE("blog: images are judged by their bytes") {
  CHECK(sniff_image_type(kPng) == std::optional<std::string>("image/png"));
  CHECK(sniff_image_type(kJpeg) == std::optional<std::string>("image/jpeg"));
  CHECK(sniff_image_type(kGif) == std::optional<std::string>("image/gif"));
  CHECK(sniff_image_type(kWebp) == std::optional<std::string>("image/webp"));
  CHECK_FALSE(sniff_image_type("<svg onload=alert(1)>"));
  CHECK_FALSE(sniff_image_type(""));
  CHECK_FALSE(sniff_image_type("RIFF\x1a\0\0\0WAVE"));
  CHECK_FALSE(sniff_image_type("\x89PNG"));
}

TEST_CASE("blog: an image is stored with its post, refused when not an image or over 5 MiB") {
  Blog b;
  Post p = add_post(b.db, b.user, "С картинкой", "b", kPng, 1);
  CHECK(p.image_type == std::optional<std::string>("image/png"));
  CHECK(p.image_size == static_cast<std::int64_t>(kPng.size()));
  auto image = post_image(b.db, b.user, p.id);
  REQUIRE(image);
  CHECK(image->bytes == kPng);
  CHECK(code_of([&] { add_post(b.db, b.user, "t", "b", std::string("GIF"), 1); }) == Errc::data);
  std::string big = kJpeg + std::string(kMaxPostImageBytes, 'x');
  CHECK(code_of([&] { add_post(b.db, b.user, "t", "b", big, 1); }) == Errc::data);
  PostChanges drop;
  drop.drop_image = true;
  CHECK_FALSE(edit_post(b.db, b.user, p.id, drop, 2).post.image_type);
  CHECK_FALSE(post_image(b.db, b.user, p.id));
  CHECK(list_posts(b.db, b.user, true).size() == 1);
}

TEST_CASE("blog: bad titles and bodies are refused and nothing is stored") {
  Blog b;
  CHECK(code_of([&] { add_post(b.db, b.user, "", "b", std::nullopt, 1); }) == Errc::data);
  CHECK(code_of([&] { add_post(b.db, b.user, "две\nстроки", "b", std::nullopt, 1); }) == Errc::data);
  CHECK(code_of([&] { add_post(b.db, b.user, std::string(301, 'x'), "b", std::nullopt, 1); }) == Errc::data);
  CHECK(code_of([&] { add_post(b.db, b.user, "t", " \n", std::nullopt, 1); }) == Errc::data);
  CHECK(code_of([&] { add_post(b.db, b.user, "t", "esc \x1b[31m", std::nullopt, 1); }) == Errc::data);
  CHECK(code_of([&] { add_post(b.db, b.user, "t", "\xff\xfe", std::nullopt, 1); }) == Errc::data);
  CHECK(code_of([&] {
          add_post(b.db, b.user, "t", std::string(kMaxPostBodyBytes + 1, 'x'), std::nullopt, 1);
        }) == Errc::data);
  CHECK(list_posts(b.db, b.super, true).empty());
  const Id id = b.draft(b.user);
  CHECK(code_of([&] { edit_post(b.db, b.user, id, PostChanges{}, 1); }) == Errc::bad_request);
  CHECK(code_of([&] { show_post(b.db, b.user, id + 100, false); }) == Errc::not_found);
}

TEST_CASE("blog: random posts are published ones, at most the count asked") {
  Blog b;
  const Id a = b.published(b.user), c = b.published(b.other);
  b.draft(b.user);
  for (int i = 0; i < 5; ++i) {
    auto picked = random_posts(b.db, 3);
    CHECK(picked.size() == 2);
    for (const Post& p : picked) CHECK((p.id == a || p.id == c));
  }
  CHECK(random_posts(b.db, 1).size() == 1);
}
