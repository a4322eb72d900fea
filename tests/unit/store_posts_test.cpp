// Contract: the post store of every backend (SPEC §1 post): what is written reads back,
// images travel only where asked for, the list's order and filters, views and removal.
#include <doctest/doctest.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "store_backends.hpp"

using namespace mailer;

namespace {

Post fields(Id author, const std::string& title, Time at, bool published = false) {
  Post p;
  p.author = author;
  p.title = title;
  p.body = "# Заголовок\n\nТекст";
  p.published = published;
  p.created_at = p.updated_at = at;
  return p;
}

std::vector<Id> ids(const std::vector<Post>& posts) {
  std::vector<Id> out;
  for (const Post& p : posts) out.push_back(p.id);
  return out;
}

// Bytes no text column would keep: a NUL, and invalid UTF-8.
const std::string kImageBytes = std::string("\x89PNG\r\n\x1a\n\0\0\xff\xfe", 12);

}  // namespace

TEST_CASE_TEMPLATE("posts store: an added post reads back with its author's email and name", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::Database& db = b.db();
  const Id ann = b.seed_account("ann@example.com");
  b.exec("UPDATE account SET name = 'Анна' WHERE id = " + std::to_string(ann));
  const Id id = db.posts().add(fields(ann, "Привет, мир", 1'790'000'000), std::nullopt);
  auto p = db.posts().post(id);
  REQUIRE(p);
  CHECK(p->id == id);
  CHECK(p->author == ann);
  CHECK(p->author_email == "ann@example.com");
  CHECK(p->author_name == "Анна");
  CHECK(p->title == "Привет, мир");
  CHECK(p->body == "# Заголовок\n\nТекст");
  CHECK_FALSE(p->image_type);
  CHECK(p->image_size == 0);
  CHECK(p->views == 0);
  CHECK_FALSE(p->published);
  CHECK(p->created_at == 1'790'000'000);
  CHECK(p->updated_at == 1'790'000'000);
  CHECK_FALSE(db.posts().post(id + 1));
}

TEST_CASE_TEMPLATE("posts store: an image keeps its exact bytes and type, and only image() reads them",
                   Backend, MAILER_STORE_BACKENDS) {
  Backend b;
  store::Database& db = b.db();
  const Id ann = b.seed_account("ann@example.com");
  const Id id = db.posts().add(fields(ann, "С картинкой", 1), PostImage{"image/png", kImageBytes});
  auto p = db.posts().post(id);
  REQUIRE(p);
  CHECK(p->image_type == std::optional<std::string>("image/png"));
  CHECK(p->image_size == static_cast<std::int64_t>(kImageBytes.size()));
  auto image = db.posts().image(id);
  REQUIRE(image);
  CHECK(image->type == "image/png");
  CHECK(image->bytes == kImageBytes);
  db.posts().set_image(id, PostImage{"image/gif", "GIF89a"});
  CHECK(db.posts().image(id)->type == "image/gif");
  CHECK(db.posts().post(id)->image_size == 6);
  db.posts().set_image(id, std::nullopt);
  CHECK_FALSE(db.posts().image(id));
  CHECK_FALSE(db.posts().post(id)->image_type);
  CHECK_FALSE(db.posts().image(id + 1));
}

TEST_CASE_TEMPLATE("posts store: list is newest first and filters drafts by query", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::Database& db = b.db();
  const Id ann = b.seed_account("ann@example.com"), bob = b.seed_account("bob@example.com");
  const Id old_pub = db.posts().add(fields(ann, "старый", 100, true), std::nullopt);
  const Id new_pub = db.posts().add(fields(bob, "новый", 300, true), std::nullopt);
  const Id ann_draft = db.posts().add(fields(ann, "черновик Анны", 200), std::nullopt);
  const Id bob_draft = db.posts().add(fields(bob, "черновик Боба", 400), std::nullopt);
  // Same time: the later id first.
  const Id tie = db.posts().add(fields(ann, "тот же час", 300, true), std::nullopt);
  CHECK(ids(db.posts().list({})) == std::vector<Id>{tie, new_pub, old_pub});
  store::PostQuery anns;
  anns.unpublished = true;
  anns.author = ann;
  CHECK(ids(db.posts().list(anns)) == std::vector<Id>{tie, new_pub, ann_draft, old_pub});
  store::PostQuery everyone;
  everyone.unpublished = true;
  CHECK(ids(db.posts().list(everyone)) == std::vector<Id>{bob_draft, tie, new_pub, ann_draft, old_pub});
}

TEST_CASE_TEMPLATE("posts store: update, publish, views and remove", Backend, MAILER_STORE_BACKENDS) {
  Backend b;
  store::Database& db = b.db();
  const Id ann = b.seed_account("ann@example.com");
  const Id id = db.posts().add(fields(ann, "до", 100), std::nullopt);
  const Id other = db.posts().add(fields(ann, "другой", 100), std::nullopt);
  Post p = *db.posts().post(id);
  p.title = "после";
  p.body = "новый текст";
  p.updated_at = 200;
  db.posts().update(p);
  auto q = db.posts().post(id);
  CHECK(q->title == "после");
  CHECK(q->body == "новый текст");
  CHECK(q->updated_at == 200);
  CHECK(q->created_at == 100);
  db.posts().set_published(id, true, 300);
  CHECK(db.posts().post(id)->published);
  CHECK(db.posts().post(id)->updated_at == 300);
  db.posts().count_view(id);
  db.posts().count_view(id);
  CHECK(db.posts().post(id)->views == 2);
  CHECK(db.posts().post(other)->views == 0);
  db.posts().remove(id);
  CHECK_FALSE(db.posts().post(id));
  CHECK(db.posts().post(other));
}

TEST_CASE_TEMPLATE("posts store: random_published picks distinct published posts, at most count", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::Database& db = b.db();
  const Id ann = b.seed_account("ann@example.com");
  std::set<Id> published;
  for (int i = 0; i < 5; ++i) published.insert(db.posts().add(fields(ann, "пост", i, true), std::nullopt));
  db.posts().add(fields(ann, "черновик", 9), std::nullopt);
  auto picked = db.posts().random_published(3);
  CHECK(picked.size() == 3);
  std::set<Id> seen;
  for (const Post& p : picked) {
    CHECK(published.count(p.id) == 1);
    seen.insert(p.id);
  }
  CHECK(seen.size() == 3);
  CHECK(db.posts().random_published(10).size() == 5);
  CHECK(db.posts().random_published(0).empty());
}
