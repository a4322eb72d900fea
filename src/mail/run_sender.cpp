#include "run_sender.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "fleet_connections.hpp"
#include "mailer/base/error.hpp"
#include "mailer/core/tracking.hpp"

namespace mailer {
namespace {

// Small pages, so that a client who unsubscribes during a run is seen by its next page.
constexpr int kPageSize = 128;
// Deliveries are folded into the database in groups of this many, or after this long.
constexpr std::size_t kFoldBatch = 256;
constexpr auto kFoldInterval = std::chrono::milliseconds(200);
// How often a run asks whether its mailing was stopped (SPEC §3: a stop is seen at once).
constexpr auto kHaltInterval = std::chrono::milliseconds(250);

mail::MessageTemplate load_template(store::Database& db, Id message) {
  auto m = db.messages().message(message);
  if (!m) throw Error(Errc::not_found, fmt::format("message {} not found", message));
  return mail::MessageTemplate{std::move(m->subject), std::move(m->body_text), std::move(m->body_html)};
}

const char* kind_words(policy::Verdict v) {
  switch (v) {
    case policy::Verdict::sent:
      return "sent";
    case policy::Verdict::bounced:
      return "bounced";
    case policy::Verdict::deferred:
      return "deferred";
    case policy::Verdict::session_refused:
      return "session refused (stays queued)";
    case policy::Verdict::message_refused:
      return "our message refused (stays queued)";
  }
  return "";
}

}  // namespace

RunSender::RunSender(store::Database& db, const Config& config, const runs::RunInfo& run,
                     const SendRequest& request, SendSummary& summary, Time now,
                     std::unique_ptr<mail::Transport>& sender, std::string journal_path, Id lease_owner)
    : db_(db),
      config_(config),
      run_(run),
      request_(request),
      summary_(summary),
      now_(now),
      sender_(sender),
      composer_(load_template(db, run.message)),
      journal_path_(std::move(journal_path)),
      lease_owner_(lease_owner),
      lease_(std::chrono::seconds(config.lease_s)),
      lease_ms_(static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(lease_).count())),
      fleet_interval_us_(lease_owner != 0 && config.smtp.rate_per_second > 0
                             ? static_cast<std::int64_t>(1e6 / config.smtp.rate_per_second)
                             : 0) {
  if (!config.tracking_base_url.empty() || !config.return_path.empty()) key_ = tracking_key(db);
  if (!config.tracking_base_url.empty()) {
    tracking_ = mail::tracking_links(config, key_);
  }
}

void RunSender::send() {
  // The store leaves no read open (SQLITE_BUSY_SNAPSHOT would kill the run midway otherwise).
  std::size_t todo = db_.runs().due_recipients(run_.id, now_);
  base_total_ = summary_.total;
  summary_.total += todo;
  if (todo == 0) return;
  // One sender for all the runs of a `send`: its connections carry on from run to run.
  if (!sender_) {
    sender_ = mail::make_transport(request_.transport, mail::smtp_settings(config_));
    // The fleet's hosts share smtp.connections toward the server; a host that gets no slot
    // for longer than a reply may take leaves the run to the others.
    if (lease_owner_)
      if (auto slots = db_.connection_slots(config_.smtp.url, config_.smtp.connections))
        sender_->share_connections(std::make_unique<mail::FleetConnections>(
            std::move(slots), config_.smtp.connections,
            std::chrono::seconds(config_.smtp.timeout_s) + std::chrono::seconds(5)));
  }
  writer_.emplace(db_, run_.id, run_.mailing, config_.bounces_soft_limit, lease_owner_);
  renewed_ = Clock::now();
  if (!journal_path_.empty()) journal_.emplace(journal_path_);
  halt_check_.emplace(db_, run_.id);
  try {
    sender_->run([this] { return next(); }, [this](std::span<const mail::Delivery> batch) { record(batch); });
  } catch (...) {
    // What is journaled stays there when this fails too: the next sender folds it.
    try {
      fold();
      if (lease_owner_) db_.runs().release_leases(run_.id, lease_owner_);
    } catch (...) {
    }
    throw;
  }
  fold();
  if (journal_) journal_->remove();
  // What was leased and not sent (a stop, a lost lease) is free for the other workers now.
  if (lease_owner_) db_.runs().release_leases(run_.id, lease_owner_);
  if (!ended_ && !stop_) {
    // The transport's gate admitted no connection: the other hosts hold every slot.
    ++summary_.busy;
    summary_.notes.push_back(fmt::format(
        "run {} of mailing {} left to the other hosts: they hold all {} of smtp.connections toward the "
        "server",
        run_.id, run_.mailing, config_.smtp.connections));
    return;
  }
  report_stop();
}

void RunSender::next_page() {
  queue_pos_ = 0;
  if (!lease_owner_) {
    db_.runs().recipients_page(run_.id, last_client_, now_, kPageSize, queue_);
  } else {
    db_.runs().lease_page(run_.id, lease_owner_, last_client_, now_, kPageSize, lease_ms_, wrapped_, queue_);
    // The leases of a worker that died or was cut off behind the cursor are taken on a second
    // pass from the start.
    if (queue_.empty() && !wrapped_ && last_client_ != 0) {
      wrapped_ = true;
      db_.runs().lease_page(run_.id, lease_owner_, 0, now_, kPageSize, lease_ms_, true, queue_);
    }
  }
  if (!queue_.empty()) last_client_ = queue_.back().client;
}

void RunSender::renew_leases_when_due() {
  if (!lease_owner_ || Clock::now() - renewed_ < lease_ / 4) return;
  const auto asked = Clock::now();
  db_.runs().renew_leases(run_.id, lease_owner_, lease_ms_, mine_);
  renewed_ = asked;
  // A recipient no longer leased to this worker went to another one, which sends it: this one
  // was cut off (stopped, or its network was) for longer than its lease, and stops.
  std::sort(mine_.begin(), mine_.end());
  // (In flight ones are counted when their results are dropped by the fold.)
  bool lost = false;
  for (std::size_t i = queue_pos_; i < queue_.size(); ++i)
    if (!std::binary_search(mine_.begin(), mine_.end(), queue_[i].client)) {
      ++leases_lost_;
      lost = true;
    }
  for (const auto& entry : in_flight_)
    if (!std::binary_search(mine_.begin(), mine_.end(), entry.first)) lost = true;
  if (lost) {
    lease_lost_ = true;
    stop_ = true;
  }
}

bool RunSender::halted() {
  if (halt_ == runs::Halt::none) halt_ = halt_check_->check();
  last_halt_check_ = Clock::now();
  return halt_ != runs::Halt::none;
}

std::optional<mail::Envelope> RunSender::next() {
  std::optional<mail::Envelope> envelope = next_envelope();
  if (!envelope) ended_ = true;
  return envelope;
}

std::optional<mail::Envelope> RunSender::next_envelope() {
  if (stop_) return std::nullopt;
  // A mailing stopped or disabled, or an owner blocked, while this run is being sent stops it
  // here within a fraction of a second; the rest stays pending.
  if ((queue_pos_ == queue_.size() || Clock::now() - last_halt_check_ >= kHaltInterval) && halted()) {
    stop_ = true;
    return std::nullopt;
  }
  renew_leases_when_due();
  if (stop_) return std::nullopt;
  if (queue_pos_ == queue_.size()) {
    // A client who unsubscribed after the run started is skipped: never sent to again
    // (SPEC §3); close_if_done() settles them.
    next_page();
    if (queue_.empty()) return std::nullopt;
  }
  const Queued& q = queue_[queue_pos_++];
  mail::ComposeContext context;
  context.from = config_.smtp.from;
  context.date = clock();
  context.message_id = mail::make_message_id(config_.smtp.from);
  if (!config_.tracking_base_url.empty()) {
    // One token per recipient of the run: the pixel, the clicks and the unsubscribe link.
    context.tracking_token = tracking_token(key_, run_.id, q.client);
    context.unsubscribe_url = unsubscribe_url(config_.tracking_base_url, context.tracking_token);
    if (tracking_) context.tracking = &*tracking_;
  }
  mail::Envelope envelope;
  envelope.id = q.client;
  envelope.rcpt = mail::envelope_address(q.email);
  if (!config_.return_path.empty())
    envelope.mail_from = verp_address(config_.return_path, key_, run_.id, q.client);
  composer_.compose(mail::Recipient{q.email, q.name}, context, envelope.data);
  in_flight_[q.client] = Pending{q.email, q.tries, context.message_id};
  if (fleet_interval_us_ > 0) {
    // The fleet's pace: every host takes its slots toward the server from one row, so that
    // smtp.rate_per_second holds for all of them together (the transport paces this host too).
    const std::int64_t wait = db_.settings().take_send_slot(config_.smtp.url, fleet_interval_us_);
    if (wait > 0) std::this_thread::sleep_for(std::chrono::microseconds(wait));
  }
  return envelope;
}

JournalRecord RunSender::journal_record(const mail::Delivery& d, const Pending& p, Time at) {
  JournalRecord r;
  r.client = d.id;
  r.tries_before = p.tries;
  r.at = at;
  r.state = "done";
  switch (d.verdict) {
    case policy::Verdict::sent:
      r.status = "sent";
      ++summary_.sent;
      break;
    case policy::Verdict::bounced:
      r.status = "bounced";
      ++summary_.bounced;
      break;
    case policy::Verdict::deferred:
      if (policy::after_try(d.verdict, p.tries + 1, config_.max_tries) == policy::TryResult::failed) {
        r.status = "failed";
        ++summary_.failed;
      } else {
        r.status = "deferred";
        r.state = "deferred";
        r.retry_at = at + policy::retry_delay(p.tries + 1);
        ++summary_.deferred;
      }
      break;
    case policy::Verdict::session_refused:
    case policy::Verdict::message_refused:
      // Logged as it happened, but no try of the recipient's: it stays queued as it was.
      r.status = "deferred";
      r.state = "queued";
      r.retry_at = at;  // due again at the next send, whatever its back-off was
      ++summary_.deferred;
      if (d.verdict == policy::Verdict::session_refused) {
        ++summary_.unavailable;
        summary_.unavailable_reason = d.response;
      } else {
        ++summary_.message_refused;
      }
      break;
  }
  if (d.smtp_code > 0) r.smtp_code = d.smtp_code;
  r.email = p.email;
  r.message_id = p.message_id;
  r.response = d.response;
  return r;
}

void RunSender::record(std::span<const mail::Delivery> batch) {
  Time at = clock();
  std::size_t first = unfolded_.size();
  for (const auto& d : batch) {
    auto it = in_flight_.find(d.id);
    if (it == in_flight_.end()) continue;
    unfolded_.push_back(journal_record(d, it->second, at));
    if (request_.log)
      request_.log(fmt::format("{}: {}: {}", it->second.email, kind_words(d.verdict), d.response));
    // A server that refuses every connection, our login or our sender, from the start or
    // from some point on (a throttle): stop after one refusal per connection in a row
    // instead of trying the whole list; the rest stays pending for a later send. A refusal
    // of our message itself would repeat for everyone: stop at once.
    if (d.verdict == policy::Verdict::message_refused) {
      message_refused_ = true;
      refusal_ = d.response;
      stop_ = true;
    } else if (d.verdict == policy::Verdict::session_refused) {
      refusal_ = d.response;
      if (++refused_in_a_row_ >= static_cast<std::size_t>(config_.smtp.connections)) stop_ = true;
    } else {
      refused_in_a_row_ = 0;
    }
    in_flight_.erase(it);
  }
  if (!journal_) {
    fold();  // no file to journal to (an in-memory database): commit at once
    return;
  }
  journal_->append(std::span<const JournalRecord>(unfolded_).subspan(first));
  if (unfolded_.size() >= kFoldBatch || Clock::now() - last_fold_ >= kFoldInterval) fold();
}

void RunSender::fold() {
  if (unfolded_.empty()) return;
  if (!writer_->apply(unfolded_)) {
    // The mailing was removed meanwhile: its results have nowhere to go, and nothing more of
    // it is sent.
    halt_ = runs::Halt::gone;
    stop_ = true;
  }
  if (journal_) journal_->clear();
  if (writer_->lost() > 0) {
    // Results of recipients another worker took over were dropped: its attempts stand.
    lease_lost_ = true;
    stop_ = true;
  }
  if (!stop_) renew_leases_when_due();
  done_ += unfolded_.size();
  unfolded_.clear();
  last_fold_ = Clock::now();
  // The group commit is also where a stop is noticed, whatever the pace of the run.
  if (!stop_ && halted()) stop_ = true;
  if (request_.progress) request_.progress(base_total_ + done_, summary_.total);
}

void RunSender::report_stop() {
  if (lease_lost_) {
    ++summary_.busy;
    summary_.notes.push_back(fmt::format(
        "run {} of mailing {}: this host was cut off for longer than send.lease_s ({} s) and stopped; other "
        "hosts took over {} of its recipients",
        run_.id, run_.mailing, config_.lease_s, leases_lost_ + writer_->lost()));
    return;
  }
  if (halt_ != runs::Halt::none) {
    std::size_t left = halt_ == runs::Halt::gone ? 0 : db_.runs().left_to_send(run_.id);
    summary_.stopped += left;
    summary_.notes.push_back(fmt::format("stopped: mailing {} {} during the send; {} not sent", run_.mailing,
                                         runs::halt_words(halt_), left));
    return;
  }
  if (message_refused_) {
    ++summary_.data_errors;
    std::string error = fmt::format("the SMTP server refused our message itself: {}", refusal_);
    db_.runs().record_error(run_.id, error, clock(), true);
    summary_.notes.emplace_back(fmt::format("run {} of mailing {} paused: {}", run_.id, run_.mailing, error),
                                SendNote::Then::resume_when_message_fixed, run_.mailing);
    return;
  }
  if (stop_ && !refusal_.empty()) {
    std::string error = fmt::format("the SMTP server refused the session: {}", refusal_);
    db_.runs().record_error(run_.id, error, clock(), false);
  }
}

}  // namespace mailer
