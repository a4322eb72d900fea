#pragma once
// A numbered schema step as the build embeds it (cmake/embed_migrations.cmake): SQLite's from
// src/store/migrations, PostgreSQL's from src/store/postgres, with the same numbers.
#include <vector>

namespace mailer::store {

struct Migration {
  int version;
  const char* sql;
};

// The latest version of a driver's steps, 0 for none.
inline int latest_version(const std::vector<Migration>& steps) {
  return steps.empty() ? 0 : steps.back().version;
}

}  // namespace mailer::store
