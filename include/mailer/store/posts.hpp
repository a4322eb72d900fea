#pragma once
// The repository of blog posts. It checks no access: core decides who may read, write and
// publish (core/access.hpp), on the authors and flags it reads here.
#include <optional>
#include <vector>

#include "mailer/base/ids.hpp"
#include "mailer/base/records/posts.hpp"
#include "mailer/base/time.hpp"

namespace mailer::store {

// Which posts list() returns: published ones, and also the unpublished ones of `author`
// (none: everyone's unpublished posts too, when `unpublished` is set).
struct PostQuery {
  bool unpublished = false;  // include unpublished posts
  std::optional<Id> author;  // with `unpublished`: only this author's unpublished posts
};

class PostStore {
 public:
  virtual ~PostStore() = default;

  // Post `id` with its author's email and name, without the image's bytes.
  virtual std::optional<Post> post(Id id) = 0;
  // Posts newest first (created_at, then id), without the images' bytes.
  virtual std::vector<Post> list(const PostQuery& query) = 0;
  // The image of post `id`; none when it has none.
  virtual std::optional<PostImage> image(Id id) = 0;
  // Adds `p` (author, title, body, published, created_at = updated_at) with `image`; its id.
  virtual Id add(const Post& p, const std::optional<PostImage>& image) = 0;
  // Rewrites title, body, published and updated_at of post `p.id`.
  virtual void update(const Post& p) = 0;
  // Replaces the image of post `id` (none: removes it).
  virtual void set_image(Id id, const std::optional<PostImage>& image) = 0;
  // Sets the published flag and updated_at.
  virtual void set_published(Id id, bool published, Time now) = 0;
  // Adds one view to post `id`.
  virtual void count_view(Id id) = 0;
  virtual void remove(Id id) = 0;
  // `count` published posts picked at random (fewer when there are fewer).
  virtual std::vector<Post> random_published(int count) = 0;
};

}  // namespace mailer::store
