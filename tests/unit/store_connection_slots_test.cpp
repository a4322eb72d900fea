// Contract: the fleet's smtp.connections slots toward one server (issue 13). On PostgreSQL each
// ConnectionSlots is a process of the fleet: it takes free slots, waits, gives back, and its
// slots go when it does; SQLite has none (each machine keeps its own connections).
#include <doctest/doctest.h>

#include <chrono>
#include <thread>
#include <vector>

#include "store_backends.hpp"

using namespace mailer;

TEST_CASE("connection slots: SQLite has none: one machine keeps its own smtp.connections") {
  test::SqliteFileBackend file;
  CHECK(file.db().connection_slots("smtp://mx.example:25", 4) == nullptr);
  test::SqliteMemoryBackend memory;
  CHECK(memory.db().connection_slots("smtp://mx.example:25", 4) == nullptr);
}

TEST_CASE("connection slots on PostgreSQL: a slot is one host's, counted by every host") {
  test::PostgresBackend b;
  auto first = b.db().connection_slots("smtp://mx.example:25", 3);
  auto second = b.db().connection_slots("smtp://mx.example:25", 3);
  REQUIRE(first);
  REQUIRE(second);
  CHECK(first->take() == 0);
  CHECK(first->take() == 1);
  CHECK(first->take() == 2);
  CHECK(first->take() == -1);

  CHECK(second->take() == -1);
  second->set_waiting(true);
  fleet::SlotCensus seen = first->census();
  CHECK(seen.slots == 3);
  CHECK(seen.hosts == 2);
  CHECK(seen.free == 0);
  CHECK(seen.mine == 3);
  CHECK(seen.waiting_others == std::vector<int>{0});

  first->give_back(1);
  CHECK(second->take() == 1);
  seen = first->census();
  CHECK(seen.mine == 2);
  CHECK(seen.waiting_others == std::vector<int>{1});
  second->set_waiting(false);
  CHECK(first->census().waiting_others.empty());

  // Another server's slots are its own.
  auto elsewhere = b.db().connection_slots("smtp://other.example:25", 3);
  CHECK(elsewhere->take() == 0);
  CHECK(elsewhere->census().hosts == 1);

  // A host that goes (dies) takes its slots with it, once the server has seen its session end.
  first.reset();
  seen = second->census();
  for (int i = 0; i < 100 && seen.hosts != 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    seen = second->census();
  }
  CHECK(seen.hosts == 1);
  CHECK(seen.free == 2);
  CHECK(seen.mine == 1);
}
