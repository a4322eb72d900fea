#pragma once
// SQL functions mailer registers on each of its connections, for migrations that must
// compute what C++ computes (store/migrations/003_unicode_keys.sql).
struct sqlite3;

namespace mailer::store {

// mailer_fold(text): fold_case(); mailer_email_key(text): email_key(). Both deterministic.
void register_sql_functions(sqlite3* db);

}  // namespace mailer::store
