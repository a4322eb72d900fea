#pragma once
// PostgreSQL's connection slots: session advisory locks of a connection of this object's own,
// under a key made of "mlc", 24 bits of the server's URL and a low part: 0..4095 a slot,
// 0x1000 "sends to this server" (shared), 0x2000 "waits for a slot" (shared). pg_locks is the
// census.
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "lock_session.hpp"
#include "mailer/store/connection_slots.hpp"

namespace mailer::store::postgres {

class PgConnectionSlots final : public ConnectionSlots {
 public:
  PgConnectionSlots(std::string url, std::string password, std::string_view server, int slots);
  PgConnectionSlots(const PgConnectionSlots&) = delete;
  PgConnectionSlots& operator=(const PgConnectionSlots&) = delete;

  int take() override;
  void give_back(int slot) override;
  void set_waiting(bool waiting) override;
  fleet::SlotCensus census() override;

  static constexpr std::int64_t kSlotLockBase = std::int64_t{0x6D6C63} << 40;
  static constexpr std::int64_t kSender = 0x1000;
  static constexpr std::int64_t kWaiting = 0x2000;

 private:
  // Counted among the server's senders from the first use on.
  LockSession& joined();

  LockSession session_;
  std::int64_t base_ = 0;  // the server's keys: base_ + a low part below 2^16
  int slots_ = 0;
  bool joined_ = false;
  std::set<int> mine_;
  bool waiting_ = false;
};

}  // namespace mailer::store::postgres
