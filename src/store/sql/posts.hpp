#pragma once
// The SQL drivers' repository of blog posts.
#include "mailer/store/posts.hpp"
#include "mailer/store/sql/connection.hpp"

namespace mailer::store::sql {

class SqlPostStore final : public PostStore {
 public:
  explicit SqlPostStore(SqlConnection& db) : db_(db) {}

  std::optional<Post> post(Id id) override;
  std::vector<Post> list(const PostQuery& query) override;
  std::optional<PostImage> image(Id id) override;
  Id add(const Post& p, const std::optional<PostImage>& image) override;
  void update(const Post& p) override;
  void set_image(Id id, const std::optional<PostImage>& image) override;
  void set_published(Id id, bool published, Time now) override;
  void count_view(Id id) override;
  void remove(Id id) override;
  std::vector<Post> random_published(int count) override;

 private:
  SqlConnection& db_;
};

}  // namespace mailer::store::sql
