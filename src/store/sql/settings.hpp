#pragma once
// The SQL drivers' repository of installation settings (keys and secrets of this database).
#include "mailer/store/settings.hpp"
#include "mailer/store/sql/connection.hpp"

namespace mailer::store::sql {

class SqlSettingStore final : public SettingStore {
 public:
  explicit SqlSettingStore(SqlConnection& db) : db_(db) {}

  std::optional<std::string> find(std::string_view key) override;
  void insert_if_missing(std::string_view key, std::string_view value) override;

 private:
  SqlConnection& db_;
};

}  // namespace mailer::store::sql
