#pragma once
// The gate of a PostgreSQL fleet's transport: its connections toward the SMTP server open only
// on slots of the fleet's smtp.connections, shared by the rule of core/connection_share.hpp.
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>

#include "mailer/mail/transport.hpp"
#include "mailer/store/connection_slots.hpp"

namespace mailer::mail {

class FleetConnections final : public ConnectionGate {
 public:
  using Clock = std::chrono::steady_clock;
  // `want`: this host's connections. `patience`: how long this host, holding no slot, waits
  // while the other hosts hold them all before it leaves the run to them.
  FleetConnections(std::unique_ptr<store::ConnectionSlots> slots, int want, Clock::duration patience);

  bool enter(int index, const std::function<bool()>& stop) override;
  bool should_leave(int index) override;
  void left(int index) override;

  // Whether this host gave up waiting for a slot (the other hosts held every one).
  bool gave_up() const;

 private:
  fleet::SlotCensus census(Clock::duration max_age);  // under mutex_
  void wait_less();                                   // under mutex_

  std::unique_ptr<store::ConnectionSlots> slots_;
  const int want_;
  const Clock::duration patience_;
  mutable std::mutex mutex_;
  std::condition_variable freed_;
  std::map<int, int> slot_of_;  // connection index -> slot
  std::set<int> leaving_;       // told to give their slot back, not yet closed
  int waiting_ = 0;             // connections of this host waiting in enter()
  std::optional<fleet::SlotCensus> census_;
  Clock::time_point census_at_{};
  Clock::time_point none_since_ = Clock::now();  // when this host last held a slot, or started
  bool gave_up_ = false;
};

}  // namespace mailer::mail
