#pragma once
// The repository of mailings, their schedule and their recipients (clients and groups).
#include "mailer/base/ids.hpp"
#include "mailer/base/time.hpp"

namespace mailer::store {

class MailingStore {
 public:
  virtual ~MailingStore() = default;
};

}  // namespace mailer::store
