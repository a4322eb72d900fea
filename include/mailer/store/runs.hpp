#pragma once
// The repository of runs of mailings and their run recipients (the send queue).
#include "mailer/base/ids.hpp"
#include "mailer/base/time.hpp"

namespace mailer::store {

class RunStore {
 public:
  virtual ~RunStore() = default;
};

}  // namespace mailer::store
