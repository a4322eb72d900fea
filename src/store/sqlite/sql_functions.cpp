#include "sql_functions.hpp"

#include <sqlite3.h>

#include <string>
#include <string_view>

#include "mailer/base/error.hpp"
#include "mailer/base/text_fold.hpp"
#include "mailer/base/validate.hpp"

namespace mailer::store {
namespace {

template <std::string (*Fn)(std::string_view)>
void text_function(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return;
  }
  const auto* p = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  const std::string_view text(p ? p : "", static_cast<std::size_t>(sqlite3_value_bytes(argv[0])));
  try {
    const std::string out = Fn(text);
    sqlite3_result_text(ctx, out.data(), static_cast<int>(out.size()), SQLITE_TRANSIENT);
  } catch (const std::exception& e) {
    sqlite3_result_error(ctx, e.what(), -1);
  }
}

}  // namespace

void register_sql_functions(sqlite3* db) {
  constexpr int kFlags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
  if (sqlite3_create_function_v2(db, "mailer_fold", 1, kFlags, nullptr, &text_function<&fold_case>, nullptr,
                                 nullptr, nullptr) != SQLITE_OK ||
      sqlite3_create_function_v2(db, "mailer_email_key", 1, kFlags, nullptr, &text_function<&email_key>,
                                 nullptr, nullptr, nullptr) != SQLITE_OK)
    throw Error(Errc::internal, std::string("cannot register SQL functions: ") + sqlite3_errmsg(db));
}

}  // namespace mailer::store
