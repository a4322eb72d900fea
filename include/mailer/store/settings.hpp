#pragma once
// The repository of installation settings (keys and secrets of this database) and of the
// fleet's shared pace toward an SMTP server.
#include <cstdint>
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

  // PostgreSQL's fleet: smtp.rate_per_second for all hosts together. Takes the next send slot
  // toward `server`, `interval_us` after the slot before it (by the database server's clock),
  // and returns how many microseconds from now it starts (0: at once). A stall is not made up
  // for with a burst. Commits by itself.
  virtual std::int64_t take_send_slot(std::string_view server, std::int64_t interval_us) = 0;
};

}  // namespace mailer::store
