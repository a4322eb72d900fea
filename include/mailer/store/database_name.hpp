#pragma once
// What a database's name says: a postgresql:// (or postgres://) URL is PostgreSQL, anything
// else an SQLite file (or ":memory:"); and the name as it may be printed. Pure, so that the
// config reader (and its fuzz target) need no driver.
#include <string>
#include <string_view>

namespace mailer::store {

// True for a postgresql:// or postgres:// URL.
bool is_postgres_url(std::string_view name);

// `url` with its password (user:PASSWORD@ or password=...) replaced by "***", for messages.
std::string redact_postgres_url(std::string_view url);

// `name` as it may be shown: a URL's password hidden, a path as it is.
std::string printable_database_name(std::string_view name);

}  // namespace mailer::store
