#include "ascii_fold.hpp"

#include <fmt/format.h>

namespace mailer::store::sql {

std::string ascii_fold(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string ascii_fold_sql(std::string_view column) {
  std::string sql(column);
  for (char c = 'A'; c <= 'Z'; ++c) sql = fmt::format("replace({}, '{}', '{}')", sql, c, ascii_fold({&c, 1}));
  return sql;
}

}  // namespace mailer::store::sql
