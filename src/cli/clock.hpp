#pragma once
// The CLI's clock: the system's, or MAILER_NOW.
#include "mailer/base/time.hpp"

namespace mailer {

// The current time: MAILER_NOW (ISO 8601; local without an offset) when set, else the clock.
// Throws Error{Errc::data} when MAILER_NOW is malformed.
Time current_time();

}  // namespace mailer
