#pragma once
// The store's SQL numbers its parameters as SQLite does (`?`, `?N`); PostgreSQL's are `$N`.
#include <string>
#include <string_view>

namespace mailer::store::postgres {

// `sql` with `?N` as `$N` and each bare `?` as the next number, outside quotes and comments.
std::string numbered_parameters(std::string_view sql);

}  // namespace mailer::store::postgres
