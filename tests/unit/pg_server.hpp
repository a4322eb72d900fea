#pragma once
// The PostgreSQL server of the unit tests: started by the ctest fixture "postgres"
// (tests/integration/postgres.py start), which writes its URL into MAILER_TEST_PG_DIR/url.
// Each backend gets a database of its own, copied from the template the fixture migrated
// (mailer_template) and dropped after.
#include <string>

namespace mailer::test {

// The server's URL of database `name`; a fixture that left no URL fails the test.
std::string pg_url(const std::string& name);

// A new database, a copy of the migrated template; dropped when destroyed.
class PgTestDatabase {
 public:
  PgTestDatabase();
  ~PgTestDatabase();
  PgTestDatabase(const PgTestDatabase&) = delete;
  PgTestDatabase& operator=(const PgTestDatabase&) = delete;
  const std::string& url() const { return url_; }

 private:
  std::string name_;
  std::string url_;
};

// Runs `sql` as the server's superuser on database `db` with psql; its output.
std::string pg_psql(const std::string& db, const std::string& sql);

}  // namespace mailer::test
