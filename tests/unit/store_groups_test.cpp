// Contract: a group's name is unique per owner ignoring case in any script, by its key (SPEC §1),
// on every store backend; the rest of the client store is in store_clients_test.cpp.
#include <doctest/doctest.h>

#include <string>

#include "store_backends.hpp"

using namespace mailer;

namespace {

constexpr Time kNow = 1'790'000'000;

}  // namespace

TEST_CASE_TEMPLATE("groups store: names differing only in case are one group of an owner", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::ClientStore& s = b.db().clients();
  const Id olga = b.seed_account("olga@example.com");
  const Id petr = b.seed_account("petr@example.com");
  const Id clients = s.add_group(olga, "Клиенты", kNow);
  CHECK(s.find_group(olga, "клиенты")->id == clients);
  CHECK(s.find_group(olga, "КЛИЕНТЫ")->name == "Клиенты");
  CHECK_THROWS(s.add_group(olga, "клиенты", kNow));
  CHECK_THROWS(s.add_group(olga, "КЛИЕНТЫ", kNow));
  const Id ann = s.add_group(olga, "Ann", kNow);
  CHECK_THROWS(s.add_group(olga, "ann", kNow));
  // Another owner may have a group of that name, in either spelling.
  CHECK_FALSE(s.find_group(petr, "Клиенты"));
  const Id theirs = s.add_group(petr, "клиенты", kNow);
  CHECK(theirs != clients);
  CHECK(s.find_group(petr, "Клиенты")->id == theirs);
  CHECK(s.find_group(olga, "клиенты")->id == clients);
  CHECK(s.find_group(olga, "ANN")->id == ann);
  CHECK(s.list_groups(olga).size() == 2);
  CHECK(s.list_groups(petr).size() == 1);
}

TEST_CASE_TEMPLATE("groups store: a group written without its key gets one that folds ASCII letters", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::ClientStore& s = b.db().clients();
  const Id olga = b.seed_account("olga@example.com");
  const std::string owner = std::to_string(olga);
  b.exec("INSERT INTO \"group\" (owner, name, created_at) VALUES (" + owner + ", 'Hand Made', 0)");
  const auto found = s.find_group(olga, "HAND made");
  REQUIRE(found);
  CHECK(found->name == "Hand Made");
  CHECK_THROWS(s.add_group(olga, "hand made", kNow));
  CHECK_THROWS(
      b.exec("INSERT INTO \"group\" (owner, name, created_at) VALUES (" + owner + ", 'HAND MADE', 0)"));
  CHECK(s.list_groups(olga).size() == 1);
}
