#pragma once
// Moving up (`mailer db copy`): every row of an SQLite database into an empty PostgreSQL one.
#include <cstdint>
#include <string>
#include <vector>

#include "mailer/store/sql/connection.hpp"

namespace mailer::store {

struct CopiedTable {
  std::string name;
  std::int64_t rows = 0;
};

// Copies every table of `from` (SQLite) into `to` (PostgreSQL, at the same schema version, with
// no row in any table) in one transaction of each, ids included, and moves each id sequence
// past the largest id `from` ever gave (deleted ids are not given again). The row counts of
// both sides are compared before the commit. Error{data} when `to` holds rows, Error{config}
// when the drivers or the schema versions do not fit, Error{internal} when the counts differ.
std::vector<CopiedTable> copy_database(SqlConnection& from, SqlConnection& to);

}  // namespace mailer::store
