#pragma once
// One-time codes for verification and password reset (SPEC §4), and the limits that make
// guessing one hopeless: 5 requests an hour and 5 wrong tries an hour per address, counted
// across codes. Only their keyed hashes are stored. Used by accounts.cpp.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mailer/base/time.hpp"
#include "mailer/store/database.hpp"

namespace mailer::codes {

enum class Purpose { verify, reset };

constexpr Time kVerifyLifetime = 24 * 3600;
constexpr Time kResetLifetime = 3600;
constexpr Time kWindow = 3600;           // the period the limits below count over
constexpr int kRequestsPerWindow = 5;    // codes asked for one address and purpose
constexpr int kWrongTriesPerWindow = 5;  // wrong codes given for one address and purpose
constexpr int kTriesPerCode = 5;         // a code dies after this many wrong tries

// Counts a request for a code for `email`, whether or not an account has it (the answer must
// not tell). Error{temp_failure} when it would be one too many within the window.
void count_request(store::Database& db, std::string_view email, Purpose purpose, Time now);

// A new code of `purpose` for the user, replacing an older one; only its keyed hash is kept.
std::string issue(store::Database& db, std::int64_t user_id, Purpose purpose, Time now);

// Whether `code` is the user's live code of `purpose` (user_id: the account with `email`, if
// any). A right code is used up; a wrong one is counted, against the code and the address.
// While the address has had kWrongTriesPerWindow wrong tries in the window, even the right
// code is refused, and further tries are not counted.
bool consume(store::Database& db, std::string_view email, std::optional<std::int64_t> user_id,
             Purpose purpose, std::string_view code, Time now);

}  // namespace mailer::codes
