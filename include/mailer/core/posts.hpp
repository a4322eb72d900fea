#pragma once
// The blog (SPEC §1 post, §2 blog, §4): anyone reads published posts, a logged-in user writes
// posts of their own, a manager, a content manager or a superuser publishes, unpublishes and
// edits any post. `reader` is none for someone who is not logged in.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "mailer/base/ids.hpp"
#include "mailer/base/records/posts.hpp"
#include "mailer/base/time.hpp"
#include "mailer/core/access.hpp"
#include "mailer/store/database.hpp"

namespace mailer {

inline constexpr std::size_t kMaxPostTitleBytes = 300;
inline constexpr std::size_t kMaxPostBodyBytes = std::size_t{1} << 20;   // 1 MiB of Markdown
inline constexpr std::size_t kMaxPostImageBytes = std::size_t{5} << 20;  // 5 MiB

// The type of an image found from its first bytes: "image/png", "image/jpeg", "image/gif",
// "image/webp"; none for anything else (whatever its file name says).
std::optional<std::string> sniff_image_type(std::string_view bytes);

struct PostChanges {
  std::optional<std::string> title, body;
  std::optional<std::string> image;  // set: replace with these bytes (checked like add's)
  bool drop_image = false;
};

// What an edit did beyond the fields: an author's edit of a published post takes it back to
// unpublished until a manager or content manager publishes it again.
struct PostEdit {
  Post post;
  bool unpublished_by_edit = false;
};

Post add_post(store::Database& db, const Actor& actor, const std::string& title, const std::string& body,
              const std::optional<std::string>& image, Time now);
// Published posts, newest first; with `all`, also the unpublished ones the reader may see
// (everyone's for a manager, a content manager or a superuser; the reader's own otherwise;
// refused when logged out).
std::vector<Post> list_posts(store::Database& db, const std::optional<Actor>& reader, bool all);
// Post `id` as the reader may see it (an unpublished post of another: not found), counting one
// view when `count_view` is set and the post is published.
Post show_post(store::Database& db, const std::optional<Actor>& reader, Id id, bool count_view);
PostEdit edit_post(store::Database& db, const Actor& actor, Id id, const PostChanges& changes, Time now);
void remove_post(store::Database& db, const Actor& actor, Id id);
Post publish_post(store::Database& db, const Actor& actor, Id id, bool published, Time now);
// The image of post `id` if the reader may see the post.
std::optional<PostImage> post_image(store::Database& db, const std::optional<Actor>& reader, Id id);
// `count` published posts picked at random (`mailer stats`).
std::vector<Post> random_posts(store::Database& db, int count);

}  // namespace mailer
