// How the fleet's hosts share smtp.connections toward one server (issue 13): the rule alone,
// and hosts playing it in turn, without a database.
#include "mailer/core/connection_share.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <numeric>
#include <vector>

using mailer::fleet::SlotCensus;
using namespace mailer::policy;

namespace {

SlotCensus census(int slots, int hosts, int free, int mine, int want, std::vector<int> waiting = {}) {
  return SlotCensus{slots, hosts, free, mine, want, std::move(waiting)};
}

// Hosts that each want `want` connections take turns with the rule until nobody moves; every
// slot stays with one host. Returns what each holds.
std::vector<int> settle(int slots, std::vector<int> want, int& turns) {
  const int n = static_cast<int>(want.size());
  std::vector<int> held(n, 0);
  for (turns = 0; turns < 1000; ++turns) {
    bool moved = false;
    for (int h = 0; h < n; ++h) {
      const int free = slots - std::accumulate(held.begin(), held.end(), 0);
      std::vector<int> waiting;
      for (int o = 0; o < n; ++o)
        if (o != h && held[o] < want[o]) waiting.push_back(held[o]);
      switch (slot_move(census(slots, n, free, held[h], want[h], waiting))) {
        case SlotMove::take:
          ++held[h];
          moved = true;
          break;
        case SlotMove::give_back:
          --held[h];
          moved = true;
          break;
        case SlotMove::stay:
          break;
      }
      REQUIRE(std::accumulate(held.begin(), held.end(), 0) <= slots);
    }
    if (!moved) break;
  }
  return held;
}

}  // namespace

TEST_CASE("connection share: a host alone takes every slot it wants, and no more") {
  CHECK(slot_move(census(4, 1, 4, 0, 4)) == SlotMove::take);
  CHECK(slot_move(census(4, 1, 1, 3, 4)) == SlotMove::take);
  CHECK(slot_move(census(4, 1, 0, 4, 4)) == SlotMove::stay);
  CHECK(slot_move(census(8, 1, 6, 2, 2)) == SlotMove::stay);
}

TEST_CASE("connection share: the fair share is slots over hosts, at least one") {
  CHECK(fair_share(census(12, 3, 0, 0, 12)) == 4);
  CHECK(fair_share(census(4, 3, 0, 0, 4)) == 1);
  CHECK(fair_share(census(2, 3, 0, 0, 2)) == 1);
  CHECK(fair_share(census(4, 0, 0, 0, 4)) == 4);
}

TEST_CASE("connection share: a host above its share gives one back to a host waiting below it") {
  // Host A holds all 12; B and C came and wait with none.
  CHECK(slot_move(census(12, 3, 0, 12, 12, {0, 0})) == SlotMove::give_back);
  // At its share it keeps them, however many wait.
  CHECK(slot_move(census(12, 3, 0, 4, 12, {0, 0})) == SlotMove::stay);
  // Nobody waits below the share: nothing to give.
  CHECK(slot_move(census(12, 3, 0, 6, 12, {4})) == SlotMove::stay);
  // A slot is free: the waiting host takes that one.
  CHECK(slot_move(census(12, 3, 1, 11, 12, {0})) == SlotMove::stay);
}

TEST_CASE("connection share: a free slot is left to a host waiting below its share") {
  CHECK(slot_move(census(12, 3, 1, 5, 12, {3})) == SlotMove::stay);
  CHECK(slot_move(census(12, 3, 1, 3, 12, {3})) == SlotMove::take);
  CHECK(slot_move(census(12, 3, 1, 5, 12, {4})) == SlotMove::take);
}

TEST_CASE(
    "connection share: hosts taking turns end at their fair shares and never hold more than the slots") {
  int turns = 0;
  CHECK(settle(12, {12, 12, 12}, turns) == std::vector<int>{4, 4, 4});
  CHECK(turns < 20);
  CHECK(settle(4, {4, 4, 4}, turns) == std::vector<int>{2, 1, 1});
  // More hosts than slots: some wait with none.
  CHECK(settle(2, {2, 2, 2}, turns) == std::vector<int>{1, 1, 0});
  // A host that wants fewer leaves the rest to the others.
  const std::vector<int> held = settle(12, {2, 12, 12}, turns);
  CHECK(held[0] == 2);
  CHECK(held[1] + held[2] == 10);
  CHECK(std::min(held[1], held[2]) >= 4);
}
