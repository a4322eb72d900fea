// A database's name: which driver it selects, and the URL as it may be printed (no password).
#include <doctest/doctest.h>

#include "mailer/store/database_name.hpp"

using namespace mailer::store;

TEST_CASE("database name: a postgresql:// or postgres:// URL is PostgreSQL, anything else a file") {
  CHECK(is_postgres_url("postgresql://mailer@db.example.com/mailer"));
  CHECK(is_postgres_url("postgres://mailer@/mailer?host=/run/postgresql"));
  CHECK_FALSE(is_postgres_url("/var/lib/mailer/mailer.db"));
  CHECK_FALSE(is_postgres_url("postgresql.db"));
  CHECK_FALSE(is_postgres_url(":memory:"));
  CHECK_FALSE(is_postgres_url("POSTGRESQL://x"));  // libpq takes the scheme in lower case only
}

TEST_CASE("database name: a URL's password is hidden wherever it is written, nothing else changes") {
  CHECK(redact_postgres_url("postgresql://mailer:s3cr3t@db.example.com:5432/mailer") ==
        "postgresql://mailer:***@db.example.com:5432/mailer");
  CHECK(redact_postgres_url("postgresql://mailer@db/mailer?sslmode=require&password=s3cr3t") ==
        "postgresql://mailer@db/mailer?sslmode=require&password=***");
  CHECK(redact_postgres_url("postgresql:///mailer?password=a&host=/tmp") ==
        "postgresql:///mailer?password=***&host=/tmp");
  // A colon after the host is a port, not a password; "passwordless=" is no password field.
  CHECK(redact_postgres_url("postgresql://db.example.com:5432/mailer") ==
        "postgresql://db.example.com:5432/mailer");
  CHECK(redact_postgres_url("postgresql://db/m?x_password=1") == "postgresql://db/m?x_password=1");
  CHECK(printable_database_name("/srv/mailer.db") == "/srv/mailer.db");
  CHECK(printable_database_name("postgres://u:p@h/d") == "postgres://u:***@h/d");
}
