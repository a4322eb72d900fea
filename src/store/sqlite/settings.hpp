#pragma once
// SQLite's repository of installation settings (keys and secrets of this database).
#include "mailer/store/settings.hpp"
#include "mailer/store/sqlite/db.hpp"

namespace mailer::store::sqlite {

class SqliteSettingStore final : public SettingStore {
 public:
  explicit SqliteSettingStore(Db& db) : db_(db) {}

  std::optional<std::string> find(std::string_view key) override;
  void insert_if_missing(std::string_view key, std::string_view value) override;

 private:
  Db& db_;
};

}  // namespace mailer::store::sqlite
