#pragma once
// Record ids and listing scopes shared by every record module.
#include <cstdint>

namespace mailer {

using Id = std::int64_t;

// Which records a listing shows: the caller's own, or everyone's (`--all`, managers).
struct Scope {
  bool all = false;
};

}  // namespace mailer
