#pragma once
// `send --dry-run`: the copies a send would make, rendered but not sent, nothing recorded.
#include "mailer/core/config.hpp"
#include "mailer/mail/dispatch.hpp"
#include "mailer/store/database.hpp"

namespace mailer {

// Every copy a run of this mailing would send now.
void dry_run_mailing(store::Database& db, const Config& config, Id mailing, Id owner, Id message,
                     const SendRequest& request, SendSummary& summary, Time now);

// Every copy the due mailings of every user would send now (`send --due --dry-run`).
void dry_run_due(store::Database& db, const Config& config, const SendRequest& request, SendSummary& summary,
                 Time now);

}  // namespace mailer
