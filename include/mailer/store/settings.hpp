#pragma once
// The repository of installation settings (keys and secrets of this database).
#include <optional>
#include <string>
#include <string_view>

namespace mailer::store {

class SettingStore {
 public:
  virtual ~SettingStore() = default;

  // The value of setting `key`.
  virtual std::optional<std::string> find(std::string_view key) = 0;
  // Stores `value` under `key` unless the key has one: of concurrent first writers one wins.
  virtual void insert_if_missing(std::string_view key, std::string_view value) = 0;
};

}  // namespace mailer::store
