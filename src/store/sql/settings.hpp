#pragma once
// The SQL drivers' repository of installation settings (keys and secrets of this database).
#include <optional>

#include "mailer/store/settings.hpp"
#include "mailer/store/sql/connection.hpp"

namespace mailer::store::sql {

class SqlSettingStore final : public SettingStore {
 public:
  explicit SqlSettingStore(SqlConnection& db) : db_(db) {}

  std::optional<std::string> find(std::string_view key) override;
  void insert_if_missing(std::string_view key, std::string_view value) override;
  std::int64_t take_send_slot(std::string_view server, std::int64_t interval_us) override;

 private:
  SqlConnection& db_;
  std::optional<Statement> slot_;
};

}  // namespace mailer::store::sql
