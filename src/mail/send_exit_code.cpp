// The exit status of every kind of `send` (SPEC §6), decided here and nowhere else.
#include "mailer/base/error.hpp"
#include "mailer/mail/dispatch.hpp"

namespace mailer {

int send_exit_code(const SendSummary& s) {
  if (s.internal_errors > 0) return static_cast<int>(Errc::internal);
  if (s.data_errors > 0) return static_cast<int>(Errc::data);
  if (s.unavailable > 0 && s.unavailable == s.deferred + s.failed && s.sent == 0 && s.bounced == 0)
    return static_cast<int>(Errc::unavailable);
  if (s.deferred > 0 || s.busy > 0) return static_cast<int>(Errc::temp_failure);
  return 0;
}

}  // namespace mailer
