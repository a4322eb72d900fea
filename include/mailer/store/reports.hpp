#pragma once
// The repository of reports (SPEC §2 report, report recipients, report links, stats): read only,
// over attempts, runs, run recipients and events. What every figure counts:
// - a recipient is one client (or, once the client is deleted, one address) of one run; test
//   runs (`send --to`) never count;
// - their state is their LAST attempt in that run (451 then 250: one sent; a last try that
//   was deferred: still queued; failed: gave up after send.max_tries); a recipient of a run
//   with no attempt yet is pending, counted in `recipients` only;
// - opens are counted only when the event is `counted` (not a scanner's, not too early);
//   opened, clicked and unsubscribed count each recipient once, opens and clicks every hit.
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "mailer/base/ids.hpp"
#include "mailer/base/records/reports.hpp"
#include "mailer/base/time.hpp"

namespace mailer::store {

// Which runs a report covers; every field narrows it. A run counts, with all its attempts
// and events, when it started within [since, until].
struct ReportQuery {
  std::optional<Id> owner;  // runs of this account's mailings
  std::optional<Id> mailing;
  std::optional<Time> since;
  std::optional<Time> until;
};

// The first and last moment anything happened in the covered runs (attempts, events).
struct ActivitySpan {
  Time first = 0;
  Time last = 0;
};

class ReportStore {
 public:
  virtual ~ReportStore() = default;

  // One row per mailing of the owner (every mailing without one), by id, with its totals and
  // name, owner and subject; rates left 0. With since or until, only mailings with a run then.
  virtual std::vector<MailingReport> mailing_totals(const ReportQuery& query) = 0;
  // Each recipient of the mailing's runs once, by address: the last attempt over its runs
  // (or pending), the tries in that run, and the first counted open, first click and first
  // unsubscribe of any of its runs; the last sent and bounced attempts' times.
  virtual std::vector<RecipientReport> recipients(Id mailing) = 0;
  // Every clicked URL of the covered runs: clicks, and recipients who clicked it; most clicked
  // first, then by URL; at most `limit` (0: all).
  virtual std::vector<LinkReport> links(const ReportQuery& query, std::size_t limit) = 0;
  // None when nothing was attempted in the covered runs.
  virtual std::optional<ActivitySpan> activity_span(const ReportQuery& query) = 0;
  // Bucket i is [boundaries[i], boundaries[i+1]) (boundaries ascending; the caller makes
  // them, e.g. local midnights): final attempts by status at their time, counted opens and
  // clicks at theirs. boundaries.size() - 1 buckets (none for fewer than 2 boundaries).
  virtual std::vector<ActivityBucket> activity(const ReportQuery& query,
                                               std::span<const Time> boundaries) = 0;
  // Final bounced attempts without any bounce event (logged before mailer recorded them),
  // grouped by SMTP code and reply, most frequent first.
  virtual std::vector<BounceReason> bounce_reasons(const ReportQuery& query) = 0;
  // The bounce and complaint events of the covered runs grouped by kind, reason and severity
  // as their detail says (a detail that is no JSON object: undefined, soft), and by mailing too
  // with `per_mailing` (else mailing 0): the events, the distinct recipients, and the diagnostic
  // of the latest event; most events first, then by reason and severity (by mailing first with
  // `per_mailing`).
  virtual std::vector<BounceEventReason> bounce_events(const ReportQuery& query, bool per_mailing) = 0;
  // The home page figures of `owner` (none: everyone). unique_recipients: distinct addresses
  // (ASCII case folded) that a non-test run delivered to; posts: published posts written.
  virtual Stats stats(std::optional<Id> owner) = 0;
};

}  // namespace mailer::store
