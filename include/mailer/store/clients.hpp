#pragma once
// The repository of clients and the groups they belong to.
#include "mailer/base/ids.hpp"
#include "mailer/base/time.hpp"

namespace mailer::store {

class ClientStore {
 public:
  virtual ~ClientStore() = default;
};

}  // namespace mailer::store
