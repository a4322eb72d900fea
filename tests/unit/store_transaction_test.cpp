// Contract: transactions of every store backend (SPEC §3: all or nothing).
#include <doctest/doctest.h>

#include "store_backends.hpp"

using namespace mailer;

TEST_CASE_TEMPLATE("store: a transaction destroyed uncommitted leaves nothing behind", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend backend;
  store::Database& db = backend.db();
  { store::Transaction tx(db); }
  // A second transaction can begin: the first one rolled back rather than staying open.
  store::Transaction again(db);
  again.commit();
}

TEST_CASE_TEMPLATE("store: a committed transaction keeps its rows, a rolled back one none", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend backend;
  store::Database& db = backend.db();
  {
    store::Transaction tx(db);
    backend.seed_account("kept@example.com");
    tx.commit();
  }
  {
    store::Transaction tx(db);
    backend.seed_account("dropped@example.com");
  }
  // The second account reuses no id and the first is there: seeding again shows which exist.
  CHECK_THROWS(backend.seed_account("kept@example.com"));
  CHECK_NOTHROW(backend.seed_account("dropped@example.com"));
}
