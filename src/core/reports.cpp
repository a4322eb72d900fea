// The reports: access (SPEC §4: own mailings; others' for managers and superusers) and rates.
#include "mailer/core/reports.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "mailer/base/error.hpp"

namespace mailer {
namespace {

void check_mailing(store::Database& db, const Actor& actor, Id mailing) {
  auto owner = db.mailings().owner_of(mailing);
  if (!owner) throw Error(Errc::not_found, fmt::format("mailing {} not found", mailing));
  check_record(actor, *owner, RecordAction::read, fmt::format("mailing {}", mailing));
}

// The store's query for what the actor asked and may see.
store::ReportQuery scope(store::Database& db, const Actor& actor, const ReportFilter& filter) {
  check_list_all(actor, filter.all);
  if (filter.since && filter.until && *filter.since > *filter.until)
    throw Error(Errc::data, "since: after `until`", "the start of the period must not come after its end");
  if (filter.mailing) check_mailing(db, actor, *filter.mailing);
  store::ReportQuery q;
  if (!filter.all && !filter.mailing) q.owner = actor.id;
  q.mailing = filter.mailing;
  q.since = filter.since;
  q.until = filter.until;
  return q;
}

}  // namespace

double rate(std::int64_t part, std::int64_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

std::vector<MailingReport> mailing_reports(store::Database& db, const Actor& actor,
                                           const ReportFilter& filter) {
  auto rows = db.reports().mailing_totals(scope(db, actor, filter));
  for (auto& r : rows) {
    r.delivery_rate = rate(r.sent, r.recipients);
    r.open_rate = rate(r.opened, r.sent);
    r.click_rate = rate(r.clicked, r.sent);
  }
  return rows;
}

std::vector<RecipientReport> recipient_report(store::Database& db, const Actor& actor,
                                              const RecipientFilter& filter) {
  static constexpr const char* kStatuses[] = {"sent", "bounced", "deferred", "failed", "pending"};
  if (filter.status &&
      std::find(std::begin(kStatuses), std::end(kStatuses), *filter.status) == std::end(kStatuses))
    throw Error(Errc::bad_request, fmt::format("status: unknown status '{}'", *filter.status),
                "use sent, bounced, deferred, failed or pending");
  check_mailing(db, actor, filter.mailing);
  std::vector<RecipientReport> out;
  for (auto& r : db.reports().recipients(filter.mailing)) {
    if (filter.status && r.status != *filter.status) continue;
    if (filter.engagement == Engagement::opened && !r.opened_at) continue;
    if (filter.engagement == Engagement::not_opened && r.opened_at) continue;
    if (filter.engagement == Engagement::clicked && !r.clicked_at) continue;
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<LinkReport> link_report(store::Database& db, const Actor& actor, const ReportFilter& filter,
                                    std::size_t limit) {
  return db.reports().links(scope(db, actor, filter), limit);
}

std::optional<store::ActivitySpan> activity_span(store::Database& db, const Actor& actor,
                                                 const ReportFilter& filter) {
  return db.reports().activity_span(scope(db, actor, filter));
}

std::vector<ActivityBucket> activity(store::Database& db, const Actor& actor, const ReportFilter& filter,
                                     std::span<const Time> boundaries) {
  return db.reports().activity(scope(db, actor, filter), boundaries);
}

std::vector<BounceReason> bounce_reasons(store::Database& db, const Actor& actor,
                                         const ReportFilter& filter) {
  return db.reports().bounce_reasons(scope(db, actor, filter));
}

std::vector<BounceEventReason> bounce_events(store::Database& db, const Actor& actor,
                                             const ReportFilter& filter) {
  return db.reports().bounce_events(scope(db, actor, filter), false);
}

std::vector<BounceEventReason> bounce_events_per_mailing(store::Database& db, const Actor& actor,
                                                         const ReportFilter& filter) {
  auto rows = db.reports().bounce_events(scope(db, actor, filter), true);
  std::erase_if(rows, [](const BounceEventReason& r) { return r.kind != "bounce"; });
  return rows;
}

Stats stats(store::Database& db, const Actor& actor, bool all) {
  check_list_all(actor, all);
  return db.reports().stats(all ? std::nullopt : std::optional<Id>(actor.id));
}

}  // namespace mailer
