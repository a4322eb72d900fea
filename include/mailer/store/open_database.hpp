#pragma once
// The driver a database's name selects: a postgresql:// (or postgres://) URL is PostgreSQL,
// anything else an SQLite file (or ":memory:").
#include <memory>
#include <string>
#include <string_view>

#include "mailer/store/database_name.hpp"
#include "mailer/store/sql/connection.hpp"

namespace mailer::store {

// Opens and migrates the database `name` names; `password` is PostgreSQL's when the config
// names one ([database] password_env), else libpq's PGPASSWORD or ~/.pgpass serve.
std::unique_ptr<SqlConnection> open_database(const std::string& name, const std::string& password);

}  // namespace mailer::store
