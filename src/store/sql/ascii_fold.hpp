#pragma once
// ASCII case folding, in C++ and in SQL that every backend evaluates alike: lower() folds ASCII
// only in SQLite (no ICU) but every script in PostgreSQL, so a comparison that folds ASCII
// alone spells out the 26 letters and computes the other side here.
#include <string>
#include <string_view>

namespace mailer::store::sql {

// `text` with A-Z as a-z; every other byte as it is.
std::string ascii_fold(std::string_view text);

// An SQL expression of `column` folded as ascii_fold() folds it (nested replace()).
std::string ascii_fold_sql(std::string_view column);

}  // namespace mailer::store::sql
