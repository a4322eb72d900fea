#pragma once
// What every record module shares: the id type and the scope of a listing.
#include <cstdint>

namespace mailer {

using Id = std::int64_t;

// Which records a listing shows: the caller's own, or everyone's (`--all`, managers).
struct Scope {
  bool all = false;
};

}  // namespace mailer
