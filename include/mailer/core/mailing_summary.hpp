#pragma once
// What `mailing list` and `mailing show` say beside a mailing (issue 10 point 1): its subject,
// how many clients a run started now would send to, and its last run's sent, bounced and
// failed (each recipient's final state, test sends aside).
#include <vector>

#include "mailer/base/ids.hpp"
#include "mailer/base/records/mailings.hpp"
#include "mailer/core/access.hpp"
#include "mailer/store/database.hpp"

namespace mailer {

struct MailingOverview {
  Mailing mailing;
  MailingSummary summary;
};

// The caller's mailings (everyone's with `scope.all`, managers) with their summaries, by id,
// read in one snapshot.
std::vector<MailingOverview> list_mailing_overviews(store::Database& db, const Actor& actor, Scope scope);
// One mailing with its summary, under the access rules of `mailing show`.
MailingOverview show_mailing_overview(store::Database& db, const Actor& actor, Id id);

}  // namespace mailer
