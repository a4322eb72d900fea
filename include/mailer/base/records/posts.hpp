#pragma once
// The plain record of a blog post (SPEC §1): Markdown written by a user, published by a manager
// or a content manager, read by anyone. The image's bytes travel only where they are asked for.
#include <optional>
#include <string>

#include "mailer/base/ids.hpp"
#include "mailer/base/time.hpp"

namespace mailer {

struct PostImage {
  std::string type;   // "image/png", "image/jpeg", "image/gif" or "image/webp"
  std::string bytes;  // as the author gave them
};

struct Post {
  Id id = 0;
  Id author = 0;
  std::string author_email;
  std::string author_name;
  std::string title;
  std::string body;                       // Markdown
  std::optional<std::string> image_type;  // set when the post has an image
  std::int64_t image_size = 0;            // bytes of the image, 0 without one
  std::int64_t views = 0;
  bool published = false;
  Time created_at = 0;
  Time updated_at = 0;
};

}  // namespace mailer
