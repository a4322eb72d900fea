#pragma once
// SQLite's repository of installation settings (keys and secrets of this database).
#include "mailer/store/settings.hpp"
#include "mailer/store/sqlite/db.hpp"

namespace mailer::store::sqlite {

class SqliteSettingStore final : public SettingStore {
 public:
  explicit SqliteSettingStore(Db& db) : db_(db) {}

 private:
  [[maybe_unused]] Db& db_;
};

}  // namespace mailer::store::sqlite
