#include "mailer/store/open_database.hpp"

#include "mailer/store/postgres/db.hpp"
#include "mailer/store/sqlite/db.hpp"

namespace mailer::store {

std::unique_ptr<SqlConnection> open_database(const std::string& name, const std::string& password) {
  if (is_postgres_url(name)) return std::make_unique<PgDb>(name, password);
  return std::make_unique<Db>(name);
}

}  // namespace mailer::store
