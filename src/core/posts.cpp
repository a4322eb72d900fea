// The blog (SPEC §1 post, §2 blog, §4): the rules of who reads, writes and publishes posts.
#include "mailer/core/posts.hpp"

#include <utility>

#include <fmt/format.h>

#include "mailer/base/error.hpp"
#include "mailer/base/validate.hpp"

namespace mailer {
namespace {

std::string post_name(Id id) { return fmt::format("post {}", id); }

Post load_post(store::Database& db, Id id) {
  auto p = db.posts().post(id);
  if (!p) throw Error(Errc::not_found, fmt::format("{} not found", post_name(id)));
  return *std::move(p);
}

// An unpublished post is its author's and the editors' business: to anyone else it does not
// exist, so that nobody learns of drafts they may not read.
bool may_read(const std::optional<Actor>& reader, const Post& p) {
  if (p.published) return true;
  return reader && (reader->id == p.author || may_edit_any_post(*reader));
}

Post load_readable(store::Database& db, const std::optional<Actor>& reader, Id id) {
  Post p = load_post(db, id);
  if (!may_read(reader, p)) throw Error(Errc::not_found, fmt::format("{} not found", post_name(id)));
  return p;
}

void check_title(const std::string& title) {
  if (title.empty()) throw Error(Errc::data, "title: empty");
  check_text(title, "title");
  if (title.size() > kMaxPostTitleBytes)
    throw Error(Errc::data, fmt::format("title: {} bytes, more than {}", title.size(), kMaxPostTitleBytes));
}

void check_body(const std::string& body) {
  if (body.size() > kMaxPostBodyBytes)
    throw Error(Errc::data, fmt::format("body: {} bytes, more than a post may have (1 MiB)", body.size()));
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) throw Error(Errc::data, "body: empty");
  check_text(body, "body", true);
}

PostImage checked_image(const std::string& bytes) {
  if (bytes.size() > kMaxPostImageBytes)
    throw Error(Errc::data,
                fmt::format("image: {} bytes, more than a post's image may have (5 MiB)", bytes.size()),
                "make it smaller");
  auto type = sniff_image_type(bytes);
  if (!type) throw Error(Errc::data, "image: not a PNG, JPEG, GIF or WebP image (judged by its bytes)");
  return PostImage{*std::move(type), bytes};
}

}  // namespace

std::optional<std::string> sniff_image_type(std::string_view bytes) {
  if (bytes.starts_with("\x89PNG\r\n\x1a\n")) return "image/png";
  if (bytes.size() >= 4 && bytes.starts_with("\xff\xd8\xff")) return "image/jpeg";
  if (bytes.starts_with("GIF87a") || bytes.starts_with("GIF89a")) return "image/gif";
  if (bytes.size() >= 16 && bytes.starts_with("RIFF") && bytes.substr(8, 4) == "WEBP") return "image/webp";
  return std::nullopt;
}

Post add_post(store::Database& db, const Actor& actor, const std::string& title, const std::string& body,
              const std::optional<std::string>& image, Time now) {
  check_title(title);
  check_body(body);
  std::optional<PostImage> picture;
  if (image) picture = checked_image(*image);
  store::Transaction tx(db);
  Post fields;
  fields.author = actor.id;
  fields.title = title;
  fields.body = body;
  fields.created_at = fields.updated_at = now;
  Post p = load_post(db, db.posts().add(fields, picture));
  tx.commit();
  return p;
}

std::vector<Post> list_posts(store::Database& db, const std::optional<Actor>& reader, bool all) {
  store::PostQuery query;
  if (all) {
    if (!reader)
      throw Error(Errc::permission, "not logged in: without a session only published posts are listed");
    query.unpublished = true;
    if (!may_edit_any_post(*reader)) query.author = reader->id;
  }
  return db.posts().list(query);
}

Post show_post(store::Database& db, const std::optional<Actor>& reader, Id id, bool count_view) {
  Post p = load_readable(db, reader, id);
  if (count_view && p.published) {
    db.posts().count_view(id);
    ++p.views;
  }
  return p;
}

PostEdit edit_post(store::Database& db, const Actor& actor, Id id, const PostChanges& changes, Time now) {
  if (!changes.title && !changes.body && !changes.image && !changes.drop_image)
    throw Error(Errc::bad_request, "nothing to change: give a title, a body or an image");
  if (changes.image && changes.drop_image) throw Error(Errc::bad_request, "image: both replaced and removed");
  if (changes.title) check_title(*changes.title);
  if (changes.body) check_body(*changes.body);
  std::optional<PostImage> picture;
  if (changes.image) picture = checked_image(*changes.image);

  store::Transaction tx(db);
  Post p = load_readable(db, actor, id);
  check_post_change(actor, p.author, post_name(id));
  PostEdit edit;
  // An author's change is not approved yet; an editor's edit is its own approval.
  edit.unpublished_by_edit = p.published && !may_edit_any_post(actor);
  if (changes.title) p.title = *changes.title;
  if (changes.body) p.body = *changes.body;
  if (edit.unpublished_by_edit) p.published = false;
  p.updated_at = now;
  db.posts().update(p);
  if (changes.image || changes.drop_image) db.posts().set_image(id, picture);
  edit.post = load_post(db, id);
  tx.commit();
  return edit;
}

void remove_post(store::Database& db, const Actor& actor, Id id) {
  store::Transaction tx(db);
  Post p = load_readable(db, actor, id);
  check_post_change(actor, p.author, post_name(id));
  db.posts().remove(id);
  tx.commit();
}

Post publish_post(store::Database& db, const Actor& actor, Id id, bool published, Time now) {
  store::Transaction tx(db);
  Post p = load_readable(db, actor, id);
  if (!may_edit_any_post(actor))
    throw Error(Errc::permission,
                "permission denied: only a manager or a content-manager publishes or unpublishes posts",
                "a manager or a content-manager publishes and unpublishes posts");
  if (p.published != published) db.posts().set_published(id, published, now);
  p = load_post(db, id);
  tx.commit();
  return p;
}

std::optional<PostImage> post_image(store::Database& db, const std::optional<Actor>& reader, Id id) {
  load_readable(db, reader, id);
  return db.posts().image(id);
}

std::vector<Post> random_posts(store::Database& db, int count) { return db.posts().random_published(count); }

}  // namespace mailer
