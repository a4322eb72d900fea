// Contract: a client export reads a long list in pages (libpq would hold one statement's whole
// result in memory) and still gives every client once, by id, on every backend.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "store_backends.hpp"

using namespace mailer;

TEST_CASE_TEMPLATE("clients store: an export of more clients than a page gives each once, by id", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::ClientStore& s = b.db().clients();
  const Id olga = b.seed_account("olga@example.com");
  const Id petr = b.seed_account("petr@example.com");
  const Id g = s.add_group(olga, "Каждый третий", 0);
  std::vector<std::string> all, third;
  std::vector<Id> members;
  {
    store::Transaction tx(b.db());
    for (int i = 0; i < 4500; ++i) {
      ClientFields f;
      f.email = "c" + std::to_string(100000 + i) + "@example.com";
      f.name = "Клиент " + std::to_string(i);
      const Id id = s.add_client(olga, f, 0);
      all.push_back(f.email);
      if (i % 3 == 0) {
        members.push_back(id);
        third.push_back(f.email);
      }
      if (i % 1000 == 0) s.add_client(petr, ClientFields{f.email, "чужой", ""}, 0);
    }
    s.add_members(g, members);
    tx.commit();
  }
  std::vector<std::string> rows;
  const auto collect = [&](const ClientFields& f) { rows.push_back(f.email); };
  s.export_clients(olga, std::nullopt, collect);
  CHECK(rows == all);
  rows.clear();
  s.export_clients(olga, g, collect);
  CHECK(rows == third);
}
