#pragma once
// The reports (SPEC §2 report, report recipients, report links, stats): who may see which,
// and the rates. What each figure counts is said in store/reports.hpp.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "mailer/base/records/reports.hpp"
#include "mailer/base/time.hpp"
#include "mailer/core/access.hpp"
#include "mailer/store/database.hpp"

namespace mailer {

// Which mailings and runs a report covers: the caller's mailings, one mailing (the caller's,
// or anyone's for a manager), or everyone's with `all` (managers, superusers); runs started
// within [since, until].
struct ReportFilter {
  std::optional<Id> mailing;
  std::optional<Time> since;
  std::optional<Time> until;
  bool all = false;
};

// Who of a mailing's recipients a listing keeps.
enum class Engagement { any, opened, not_opened, clicked };

struct RecipientFilter {
  Id mailing = 0;
  std::optional<std::string> status;  // sent, bounced, deferred, failed, pending
  Engagement engagement = Engagement::any;
};

// The totals of each covered mailing with its rates; since after until: Error{data}.
std::vector<MailingReport> mailing_reports(store::Database& db, const Actor& actor,
                                           const ReportFilter& filter);

// A mailing's recipients, each once, by address.
std::vector<RecipientReport> recipient_report(store::Database& db, const Actor& actor,
                                              const RecipientFilter& filter);

// The clicked URLs of the covered runs, most clicked first; at most `limit` (0: all).
std::vector<LinkReport> link_report(store::Database& db, const Actor& actor, const ReportFilter& filter,
                                    std::size_t limit = 0);

// When the covered runs' first attempt was made and their last attempt or event; none when
// nothing was attempted.
std::optional<store::ActivitySpan> activity_span(store::Database& db, const Actor& actor,
                                                 const ReportFilter& filter);

// Deliveries, opens and clicks between consecutive boundaries (see ReportStore::activity).
std::vector<ActivityBucket> activity(store::Database& db, const Actor& actor, const ReportFilter& filter,
                                     std::span<const Time> boundaries);

// The covered runs' bounced attempts that have no bounce event (logged before mailer recorded
// them), by SMTP code and reply, most frequent first.
std::vector<BounceReason> bounce_reasons(store::Database& db, const Actor& actor, const ReportFilter& filter);

// The covered runs' bounce events by reason and severity, and their complaint events (ARF, kind
// complaint: never a bounce) as rows of their own; most events first.
std::vector<BounceEventReason> bounce_events(store::Database& db, const Actor& actor,
                                             const ReportFilter& filter);

// The bounce events by reason and severity of each covered mailing (by mailing, then most
// events first); complaints left out.
std::vector<BounceEventReason> bounce_events_per_mailing(store::Database& db, const Actor& actor,
                                                         const ReportFilter& filter);

// The caller's home page figures, everyone's with `all` (managers, superusers).
Stats stats(store::Database& db, const Actor& actor, bool all);

// part / whole, 0 when whole is 0.
double rate(std::int64_t part, std::int64_t whole);

}  // namespace mailer
