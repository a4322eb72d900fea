// Blog posts (SQL, both drivers).
#include "posts.hpp"

#include <string>

namespace mailer::store::sql {
namespace {

constexpr const char* kPostSelect =
    "SELECT p.id, p.author, u.email, u.name, p.title, p.body, p.image_type, "
    "coalesce(length(p.image), 0), p.views, p.published, p.created_at, p.updated_at "
    "FROM post p JOIN account u ON u.id = p.author";

Post read_post(const Statement& st) {
  Post p;
  p.id = st.int64(0);
  p.author = st.int64(1);
  p.author_email = st.text(2);
  p.author_name = st.text(3);
  p.title = st.text(4);
  p.body = st.text(5);
  p.image_type = st.opt_text(6);
  p.image_size = st.int64(7);
  p.views = st.int64(8);
  p.published = st.int64(9) != 0;
  p.created_at = st.int64(10);
  p.updated_at = st.int64(11);
  if (p.image_size == 0) p.image_type.reset();
  return p;
}

}  // namespace

std::optional<Post> SqlPostStore::post(Id id) {
  auto st = db_.prepare(std::string(kPostSelect) + " WHERE p.id = ?");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  return read_post(st);
}

std::vector<Post> SqlPostStore::list(const PostQuery& query) {
  std::string sql = kPostSelect;
  if (!query.unpublished)
    sql += " WHERE p.published = TRUE";
  else if (query.author)
    sql += " WHERE (p.published = TRUE OR p.author = ?1)";
  sql += " ORDER BY p.created_at DESC, p.id DESC";
  auto st = db_.prepare(sql);
  if (query.unpublished && query.author) st.bind(1, *query.author);
  std::vector<Post> out;
  while (st.step()) out.push_back(read_post(st));
  return out;
}

std::optional<PostImage> SqlPostStore::image(Id id) {
  auto st = db_.prepare("SELECT image_type, image FROM post WHERE id = ? AND image IS NOT NULL");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  return PostImage{st.text(0), st.blob(1)};
}

Id SqlPostStore::add(const Post& p, const std::optional<PostImage>& image) {
  auto st = db_.prepare(
      "INSERT INTO post (author, title, body, image, image_type, views, published, created_at, updated_at) "
      "VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?) RETURNING id");
  st.bind(1, p.author).bind(2, p.title).bind(3, p.body);
  if (image)
    st.bind_blob(4, image->bytes).bind(5, image->type);
  else
    st.bind_null(4).bind_null(5);
  st.bind(6, p.published).bind(7, p.created_at).bind(8, p.created_at);
  const Id id = st.returned_id();
  st.reset();
  return id;
}

void SqlPostStore::update(const Post& p) {
  db_.prepare("UPDATE post SET title = ?, body = ?, published = ?, updated_at = ? WHERE id = ?")
      .bind_all(p.title, p.body, p.published, p.updated_at, p.id)
      .run();
}

void SqlPostStore::set_image(Id id, const std::optional<PostImage>& image) {
  auto st = db_.prepare("UPDATE post SET image = ?, image_type = ? WHERE id = ?");
  if (image)
    st.bind_blob(1, image->bytes).bind(2, image->type);
  else
    st.bind_null(1).bind_null(2);
  st.bind(3, id).run();
}

void SqlPostStore::set_published(Id id, bool published, Time now) {
  db_.prepare("UPDATE post SET published = ?, updated_at = ? WHERE id = ?")
      .bind_all(published, now, id)
      .run();
}

void SqlPostStore::count_view(Id id) {
  db_.prepare("UPDATE post SET views = views + 1 WHERE id = ?").bind_all(id).run();
}

void SqlPostStore::remove(Id id) { db_.prepare("DELETE FROM post WHERE id = ?").bind_all(id).run(); }

std::vector<Post> SqlPostStore::random_published(int count) {
  auto st = db_.prepare(std::string(kPostSelect) + " WHERE p.published = TRUE ORDER BY random() LIMIT ?");
  st.bind(1, count);
  std::vector<Post> out;
  while (st.step()) out.push_back(read_post(st));
  return out;
}

}  // namespace mailer::store::sql
