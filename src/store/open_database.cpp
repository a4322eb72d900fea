#include "mailer/store/open_database.hpp"

#include "mailer/store/postgres/db.hpp"
#include "mailer/store/sqlite/db.hpp"

namespace mailer::store {

std::string printable_database_name(std::string_view name) {
  return is_postgres_url(name) ? redact_postgres_url(name) : std::string(name);
}

std::unique_ptr<SqlConnection> open_database(const std::string& name, const std::string& password) {
  if (is_postgres_url(name)) return std::make_unique<PgDb>(name, password);
  return std::make_unique<Db>(name);
}

}  // namespace mailer::store
