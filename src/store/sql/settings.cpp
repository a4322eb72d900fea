#include "settings.hpp"

#include <fmt/format.h>

#include "mailer/base/error.hpp"

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

std::int64_t SqlSettingStore::take_send_slot(std::string_view server, std::int64_t interval_us) {
  if (db_.dialect() != Dialect::postgres)
    throw Error(Errc::internal, fmt::format("database {}: the fleet's pace is PostgreSQL's", db_.name()));
  // One row per server, updated by every host for every message: its row lock orders them.
  if (!slot_)
    slot_.emplace(db_,
                  "WITH clock AS (SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint AS t) "
                  "INSERT INTO fleet_pace (server, next_at) SELECT ?1, t + ?2 FROM clock "
                  "ON CONFLICT (server) DO UPDATE SET next_at = greatest(fleet_pace.next_at, "
                  "(SELECT t FROM clock)) + ?2 RETURNING next_at - ?2 - (SELECT t FROM clock)");
  slot_->bind_all(server, interval_us);
  std::int64_t wait = 0;
  if (slot_->step()) wait = slot_->int64(0);
  slot_->reset();
  return wait > 0 ? wait : 0;
}

}  // namespace mailer::store::sql
