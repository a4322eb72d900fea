#pragma once
// The repository of accounts, their verification and reset codes, and login sessions.
#include "mailer/base/ids.hpp"
#include "mailer/base/time.hpp"

namespace mailer::store {

class AccountStore {
 public:
  virtual ~AccountStore() = default;
};

}  // namespace mailer::store
