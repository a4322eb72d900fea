// The fleet's connection gate (issue 13) over a scripted census, without a database: it takes
// slots while the rule says so, gives one back to a host waiting below its share, and gives up
// when other hosts hold every slot for longer than its patience.
#include <doctest/doctest.h>

#include <chrono>
#include <set>

#include "mail/fleet_connections.hpp"

using namespace mailer;
using namespace std::chrono_literals;

namespace {

// `slots` slots, of which the other hosts hold `others`; `waiting` what each waiting other holds.
class ScriptedSlots final : public store::ConnectionSlots {
 public:
  ScriptedSlots(int slots, int others, int hosts) : slots_(slots), others_(others), hosts_(hosts) {}
  int take() override {
    for (int s = 0; s < slots_ - others_; ++s)
      if (mine.insert(s).second) return s;
    return -1;
  }
  void give_back(int slot) override {
    mine.erase(slot);
    ++given_back;
  }
  void set_waiting(bool w) override { waiting_now = w; }
  fleet::SlotCensus census() override {
    fleet::SlotCensus c;
    c.slots = slots_;
    c.hosts = hosts_;
    c.free = slots_ - others_ - static_cast<int>(mine.size());
    c.mine = static_cast<int>(mine.size());
    c.waiting_others = waiting;
    return c;
  }

  std::set<int> mine;
  std::vector<int> waiting;
  int given_back = 0;
  bool waiting_now = false;

 private:
  int slots_, others_, hosts_;
};

}  // namespace

TEST_CASE("fleet connections: a host alone is admitted on every slot it wants") {
  auto slots = std::make_unique<ScriptedSlots>(4, 0, 1);
  ScriptedSlots& seen = *slots;
  mail::FleetConnections gate(std::move(slots), 4, 1s);
  for (int i = 0; i < 4; ++i) CHECK(gate.enter(i, [] { return false; }));
  CHECK(seen.mine.size() == 4);
  CHECK_FALSE(gate.should_leave(0));
  CHECK_FALSE(gate.gave_up());
}

TEST_CASE("fleet connections: a host above its share gives one slot back to a host waiting below it") {
  auto slots = std::make_unique<ScriptedSlots>(4, 0, 2);
  ScriptedSlots& seen = *slots;
  mail::FleetConnections gate(std::move(slots), 4, 1s);
  for (int i = 0; i < 4; ++i) REQUIRE(gate.enter(i, [] { return false; }));
  seen.waiting = {0};  // another host came, and holds none
  CHECK(gate.should_leave(2));
  CHECK_FALSE(gate.should_leave(2));  // told once; the next census is fresh
  gate.left(2);
  CHECK(seen.given_back == 1);
  CHECK(seen.mine.size() == 3);
}

TEST_CASE("fleet connections: with every slot held by others a host waits, then gives up") {
  auto slots = std::make_unique<ScriptedSlots>(2, 2, 3);
  ScriptedSlots& seen = *slots;
  mail::FleetConnections gate(std::move(slots), 2, 300ms);
  const auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(gate.enter(0, [] { return false; }));
  CHECK(std::chrono::steady_clock::now() - start >= 300ms);
  CHECK(gate.gave_up());
  CHECK_FALSE(seen.waiting_now);                     // it no longer says it waits
  CHECK_FALSE(gate.enter(1, [] { return false; }));  // the other connections follow at once
}

TEST_CASE("fleet connections: a connection waiting for a slot stops when its run is done") {
  auto slots = std::make_unique<ScriptedSlots>(2, 2, 3);
  mail::FleetConnections gate(std::move(slots), 2, 60s);
  int asked = 0;
  CHECK_FALSE(gate.enter(0, [&] { return ++asked > 3; }));
  CHECK_FALSE(gate.gave_up());
}
