#pragma once
// The driver a database's name selects: a postgresql:// (or postgres://) URL is PostgreSQL,
// anything else an SQLite file (or ":memory:").
#include <memory>
#include <string>
#include <string_view>

#include "mailer/store/sql/connection.hpp"

namespace mailer::store {

// True for a postgresql:// or postgres:// URL.
bool is_postgres_url(std::string_view name);

// `name` as it may be shown: a URL's password hidden, a path as it is.
std::string printable_database_name(std::string_view name);

// Opens and migrates the database `name` names; `password` is PostgreSQL's when the config
// names one ([database] password_env), else libpq's PGPASSWORD or ~/.pgpass serve.
std::unique_ptr<SqlConnection> open_database(const std::string& name, const std::string& password);

}  // namespace mailer::store
