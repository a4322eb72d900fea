#pragma once
// The repository of messages (subject and bodies).
#include "mailer/base/ids.hpp"
#include "mailer/base/time.hpp"

namespace mailer::store {

class MessageStore {
 public:
  virtual ~MessageStore() = default;
};

}  // namespace mailer::store
