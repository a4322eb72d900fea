#pragma once
// Plain records of the reports (SPEC §2 report, report recipients, report links, stats).
// A recipient's final state per run counts, not every try: a 451 then a 250 is one sent.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mailer/base/ids.hpp"
#include "mailer/base/time.hpp"

namespace mailer {

// One mailing's totals over its runs (test sends excluded).
struct MailingReport {
  Id mailing = 0;
  std::string name;
  std::string owner_email;
  std::string subject;
  std::int64_t recipients = 0;  // recipients of its runs: one per client per run
  std::int64_t sent = 0;
  std::int64_t bounced = 0;
  std::int64_t deferred = 0;  // still queued for a retry
  std::int64_t failed = 0;
  std::int64_t opened = 0;   // unique openers (counted opens only)
  std::int64_t opens = 0;    // counted opens in all
  std::int64_t clicked = 0;  // unique clickers
  std::int64_t clicks = 0;   // clicks in all
  std::int64_t unsubscribed = 0;
  // sent / recipients, unique openers / sent, unique clickers / sent; 0 when the divisor is.
  double delivery_rate = 0;
  double open_rate = 0;
  double click_rate = 0;
};

// One recipient of a mailing: their last attempt and first events over its runs.
struct RecipientReport {
  std::optional<Id> client;
  std::string email;
  std::string name;
  std::string status;  // sent, bounced, deferred, failed, pending
  std::optional<int> smtp_code;
  std::string server_response;
  std::int64_t tries = 0;
  std::optional<Time> sent_at;
  std::optional<Time> opened_at;  // first counted open
  std::optional<Time> clicked_at;
  std::optional<Time> unsubscribed_at;
  std::optional<Time> bounced_at;
};

// One tracked URL of a mailing.
struct LinkReport {
  std::string url;
  std::int64_t clicks = 0;
  std::int64_t unique_clickers = 0;
};

// What happened on one day (or hour): deliveries by final status, opens and clicks.
struct ActivityBucket {
  Time start = 0;  // the bucket's first second (UTC)
  std::int64_t sent = 0;
  std::int64_t bounced = 0;
  std::int64_t deferred = 0;
  std::int64_t failed = 0;
  std::int64_t opens = 0;
  std::int64_t clicks = 0;
};

// A bounce reason and how many recipients got it (the server's reply, as sent).
struct BounceReason {
  std::optional<int> smtp_code;
  std::string reason;
  std::int64_t count = 0;
};

// One reason of the bounce events (issue 12, item 5): what a mailed report or the server's 5xx
// to RCPT during the send said, as recorded on the attempt. Complaint events (ARF) are rows of
// their own, kind complaint, never counted as bounces.
struct BounceEventReason {
  Id mailing = 0;               // the mailing, when grouped per mailing; else 0
  std::string kind;             // bounce or complaint
  std::string reason;           // as the event says: userunknown, mailboxfull, ... (undefined: nothing)
  std::string severity;         // hard or soft; empty for a complaint
  std::int64_t bounces = 0;     // events
  std::int64_t recipients = 0;  // distinct recipients (a client, or a deleted client's address)
  std::string example;          // the diagnostic (the server's words) of the latest event
};

// The home page figures (SPEC §2 stats).
struct Stats {
  std::int64_t mailings = 0;
  std::int64_t active_mailings = 0;  // enabled, not finished
  std::int64_t unique_recipients = 0;
  std::int64_t posts = 0;
};

// Everything `report --html` draws (one self-contained page).
struct HtmlReport {
  std::string title;
  Time generated_at = 0;
  std::vector<MailingReport> mailings;
  std::vector<ActivityBucket> days;  // sends by final status, opens, clicks per day
  std::vector<LinkReport> top_links;
  std::vector<BounceEventReason> bounce_events;  // bounce events by reason, complaints aside
  std::vector<BounceReason> bounce_reasons;      // bounced attempts without any bounce event
};

}  // namespace mailer
