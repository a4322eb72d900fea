#pragma once
// The Notify that sends the account emails through the configured SMTP server.
#include "mailer/base/time.hpp"
#include "mailer/core/accounts.hpp"
#include "mailer/core/config.hpp"

namespace mailer {

// Sends notices through the configured SMTP server (one connection, one message), dated `now`.
// Reads the SMTP password at once, so a missing one is the same error whether or not the
// address has an account.
Notify smtp_notifier(const Config& config, Time now);

}  // namespace mailer
