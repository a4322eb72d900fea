#pragma once
// The repository of installation settings (keys and secrets of this database).
#include "mailer/base/ids.hpp"
#include "mailer/base/time.hpp"

namespace mailer::store {

class SettingStore {
 public:
  virtual ~SettingStore() = default;
};

}  // namespace mailer::store
