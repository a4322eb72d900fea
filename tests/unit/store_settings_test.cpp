// Contract: the setting repository of every store backend (installation keys and secrets).
#include <doctest/doctest.h>

#include "store_backends.hpp"

using namespace mailer;

TEST_CASE_TEMPLATE("settings store: a setting never written has no value", Backend, MAILER_STORE_BACKENDS) {
  Backend backend;
  CHECK_FALSE(backend.db().settings().find("code_key"));
}

TEST_CASE_TEMPLATE("settings store: the first value written under a key is the one kept", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend backend;
  store::SettingStore& settings = backend.db().settings();
  settings.insert_if_missing("code_key", "first");
  settings.insert_if_missing("code_key", "second");
  settings.insert_if_missing("tracking_key", "other");
  CHECK(settings.find("code_key") == std::optional<std::string>("first"));
  CHECK(settings.find("tracking_key") == std::optional<std::string>("other"));
}

TEST_CASE_TEMPLATE("settings store: a setting rolls back with its transaction", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend backend;
  store::Database& db = backend.db();
  {
    store::Transaction tx(db);
    db.settings().insert_if_missing("code_key", "dropped");
  }
  CHECK_FALSE(db.settings().find("code_key"));
}
