#pragma once
// Sends what is left of one run: pending recipients, and deferred ones whose back-off ended.
#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "attempt_writer.hpp"
#include "mailer/core/config.hpp"
#include "mailer/mail/compose.hpp"
#include "mailer/mail/dispatch.hpp"
#include "mailer/mail/journal.hpp"
#include "mailer/mail/smtp_sender.hpp"
#include "mailer/mail/tracking_links.hpp"
#include "run_records.hpp"

namespace mailer {

// The durability rule shapes everything here: a recipient's result is journaled before its
// connection is given the next recipient, and folded into the attempt table in groups, so a
// killed process loses nothing and repeats at most the copies that were in flight.
class RunSender {
 public:
  // `journal_path` empty: no journal (an in-memory database, PostgreSQL), results are
  // committed at once. `lease_owner` not 0: the run is shared (PostgreSQL's fleet), and this
  // worker takes its recipients by leases under that key.
  RunSender(store::Database& db, const Config& config, const runs::RunInfo& run, const SendRequest& request,
            SendSummary& summary, Time now, std::unique_ptr<mail::Transport>& sender,
            std::string journal_path, Id lease_owner = 0);

  void send();

 private:
  using Clock = std::chrono::steady_clock;
  struct Pending {
    std::string email;
    int tries = 0;
    std::string message_id;
  };
  using Queued = runs::RunRecipient;

  std::optional<mail::Envelope> next();
  std::optional<mail::Envelope> next_envelope();
  void next_page();
  void renew_leases_when_due();
  void record(std::span<const mail::Delivery> batch);
  JournalRecord journal_record(const mail::Delivery& d, const Pending& p, Time at);
  void fold();
  bool halted();
  Time clock() const { return request_.clock ? request_.clock() : now_; }
  void report_stop();

  store::Database& db_;
  const Config& config_;
  runs::RunInfo run_;
  const SendRequest& request_;
  SendSummary& summary_;
  Time now_;
  std::unique_ptr<mail::Transport>& sender_;
  mail::Composer composer_;
  std::string key_;
  std::optional<mail::TrackingLinks> tracking_;  // none: tracking off, or only unsubscribe links
  std::string journal_path_;
  std::optional<AttemptWriter> writer_;
  std::optional<DeliveryJournal> journal_;
  std::vector<JournalRecord> unfolded_;  // journaled, not yet in the database
  Clock::time_point last_fold_ = Clock::now();
  Clock::time_point last_halt_check_ = Clock::now();
  std::optional<runs::HaltCheck> halt_check_;
  std::vector<Queued> queue_;
  std::size_t queue_pos_ = 0;
  Id last_client_ = 0;
  std::unordered_map<Id, Pending> in_flight_;
  std::size_t done_ = 0;
  std::size_t base_total_ = 0;
  std::size_t refused_in_a_row_ = 0;  // session refusals since the last recipient-level reply
  runs::Halt halt_ = runs::Halt::none;
  std::string refusal_;  // the reply that stopped the run, when one did
  bool message_refused_ = false;
  bool stop_ = false;
  bool ended_ = false;  // next() said there is no more
  // A shared run's leases: renewed every lease_/4, and given up when a renewal shows that
  // another worker took some over (this one was cut off for longer than the lease).
  Id lease_owner_ = 0;
  Clock::duration lease_{};
  int lease_ms_ = 0;
  Clock::time_point renewed_ = Clock::now();
  std::vector<Id> mine_;
  bool wrapped_ = false;         // the page cursor went back to the start once, for leases freed behind it
  std::size_t leases_lost_ = 0;  // of the page not yet handed out
  bool lease_lost_ = false;
  std::int64_t fleet_interval_us_ = 0;  // 0: no fleet-wide pace (SQLite, or no rate limit)
};

}  // namespace mailer
