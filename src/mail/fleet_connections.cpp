#include "fleet_connections.hpp"

#include "mailer/core/connection_share.hpp"

namespace mailer::mail {

namespace {
// A waiting connection looks again this often; a sending one asks whether to give its slot
// back after each message, from a census at most this old.
constexpr auto kWaitPoll = std::chrono::milliseconds(100);
constexpr auto kCensusAge = std::chrono::milliseconds(500);
}  // namespace

FleetConnections::FleetConnections(std::unique_ptr<store::ConnectionSlots> slots, int want,
                                   Clock::duration patience)
    : slots_(std::move(slots)), want_(want), patience_(patience) {}

fleet::SlotCensus FleetConnections::census(Clock::duration max_age) {
  if (!census_ || Clock::now() - census_at_ >= max_age) {
    census_ = slots_->census();
    census_at_ = Clock::now();
  }
  fleet::SlotCensus c = *census_;
  c.mine = static_cast<int>(slot_of_.size() - leaving_.size());
  c.want = want_;
  return c;
}

void FleetConnections::wait_less() {
  if (--waiting_ == 0) slots_->set_waiting(false);
}

bool FleetConnections::enter(int index, const std::function<bool()>& stop) {
  std::unique_lock lock(mutex_);
  bool counted = false;
  for (;;) {
    if (gave_up_ || stop()) {
      if (counted) wait_less();
      return false;
    }
    fleet::SlotCensus c = census(kWaitPoll);
    if (policy::slot_move(c) == policy::SlotMove::take) {
      const int slot = slots_->take();
      census_.reset();  // what changed is seen by the next decision
      if (slot >= 0) {
        slot_of_[index] = slot;
        if (counted) wait_less();
        return true;
      }
    }
    if (!counted) {
      counted = true;
      if (waiting_++ == 0) slots_->set_waiting(true);
    }
    if (!slot_of_.empty()) {
      none_since_ = Clock::now();
    } else if (Clock::now() - none_since_ >= patience_) {
      gave_up_ = true;  // the other connections of this host follow
      continue;
    }
    freed_.wait_for(lock, kWaitPoll);
  }
}

bool FleetConnections::should_leave(int index) {
  std::lock_guard lock(mutex_);
  if (!slot_of_.count(index) || leaving_.count(index)) return false;
  if (policy::slot_move(census(kCensusAge)) != policy::SlotMove::give_back) return false;
  leaving_.insert(index);
  census_.reset();
  return true;
}

void FleetConnections::left(int index) {
  std::lock_guard lock(mutex_);
  auto it = slot_of_.find(index);
  if (it == slot_of_.end()) return;
  const int slot = it->second;
  slot_of_.erase(it);
  leaving_.erase(index);
  slots_->give_back(slot);
  census_.reset();
  freed_.notify_all();
}

bool FleetConnections::gave_up() const {
  std::lock_guard lock(mutex_);
  return gave_up_;
}

}  // namespace mailer::mail
