#pragma once
// The code of an error in how a request was put together (a field missing, unknown or given
// twice), as opposed to a value that is wrong (Errc::data). Below the CLI nothing says "usage":
// the CLI reports these as its usage errors, and SPEC §6 gives both the one exit code, 64.
#include "mailer/base/error.hpp"

namespace mailer {

inline constexpr Errc kBadRequest = static_cast<Errc>(64);

}  // namespace mailer
