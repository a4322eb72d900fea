#pragma once
// SQLite's repository of blog posts.
#include "mailer/store/posts.hpp"
#include "mailer/store/sqlite/db.hpp"

namespace mailer::store::sqlite {

class SqlitePostStore final : public PostStore {
 public:
  explicit SqlitePostStore(Db& db) : db_(db) {}

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
  Db& db_;
};

}  // namespace mailer::store::sqlite
