#pragma once
// The repository of delivery attempts and tracking events (opens, clicks, unsubscribes).
#include "mailer/base/ids.hpp"
#include "mailer/base/time.hpp"

namespace mailer::store {

class AttemptStore {
 public:
  virtual ~AttemptStore() = default;
};

}  // namespace mailer::store
