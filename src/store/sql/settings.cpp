#include "settings.hpp"

namespace mailer::store::sql {

std::optional<std::string> SqlSettingStore::find(std::string_view key) {
  auto st = db_.prepare("SELECT value FROM setting WHERE key = ?");
  st.bind(1, key);
  if (!st.step()) return std::nullopt;
  return st.text(0);
}

void SqlSettingStore::insert_if_missing(std::string_view key, std::string_view value) {
  db_.prepare("INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT DO NOTHING")
      .bind_all(key, value)
      .run();
}

}  // namespace mailer::store::sql
