#pragma once
// Sending (SPEC §3): claims runs inside the database, streams their recipients through
// compose -> SMTP, and makes each result durable (the run's delivery journal, see journal.hpp)
// before its connection takes the next recipient.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailer/base/time.hpp"
#include "mailer/core/access.hpp"
#include "mailer/core/attempts.hpp"
#include "mailer/core/config.hpp"
#include "mailer/core/delivery_policy.hpp"
#include "mailer/mail/smtp_sender.hpp"
#include "mailer/store/database.hpp"

namespace mailer {

// One line for the user: why a run stopped or was skipped. When a request takes the run up
// again, `then` names it and the CLI says it as its command after the text (cli/next_steps.cpp).
struct SendNote {
  enum class Then {
    nothing,
    resume_when_fixed,          // a paused run: `send` of the mailing resumes it once fixed
    resume_when_message_fixed,  // paused by a 5xx for our message: the same, nobody bounced
    next_due,                   // failed for an internal reason: the next due send retries it
  };
  SendNote(std::string text_, Then then_ = Then::nothing, Id mailing_ = 0)  // NOLINT: a plain line
      : text(std::move(text_)), then(then_), mailing(mailing_) {}
  std::string text;
  Then then;
  Id mailing;  // the mailing `then` acts on
};

// What one `send` did, over all the runs it handled.
struct SendSummary {
  std::size_t runs = 0;
  std::size_t total = 0;  // recipients it tried
  std::size_t sent = 0;
  std::size_t bounced = 0;
  std::size_t deferred = 0;         // includes the session refusals below: they stay queued
  std::size_t failed = 0;           // deferred too often: given up
  std::size_t unavailable = 0;      // of the deferred and failed: the server could not be reached
                                    // or refused the session (greeting, TLS, login, sender); these
                                    // never count as a recipient's try
  std::string unavailable_reason;   // the last such reply or error, for the user
  std::size_t message_refused = 0;  // a 5xx our own message caused: the run was paused
  std::size_t busy = 0;             // runs left alone: another live process is sending them
  std::size_t stopped = 0;          // recipients left unsent because the mailing was stopped,
                                    // disabled or removed, or its owner blocked, during the run
  std::size_t data_errors = 0;      // runs paused because their message cannot be sent
  std::size_t internal_errors = 0;  // runs that failed otherwise (disk, database): retried later
  std::vector<SendNote> notes;      // one line each, for the user: why runs stopped or were skipped
  double elapsed_s = 0;
};

// The exit status of SPEC §6 for a summary, decided here and nowhere else: 70 when a run failed
// for an internal reason, 65 when a run's message could not be sent, 69 when nothing could be
// sent because the server was unavailable, 75 when some recipients wait for a retry (deferred,
// or runs left to another sender), else 0.
int send_exit_code(const SendSummary& summary);

// One message `--dry-run` would send.
struct DryRunCopy {
  Id mailing = 0;
  std::string email;
  std::string subject;
  std::size_t size = 0;  // octets of the composed message
};

// Progress for a terminal: recipients done and known so far.
using SendProgress = std::function<void(std::size_t done, std::size_t total)>;

struct SendRequest {
  bool dry_run = false;
  SendProgress progress;                           // may be empty
  std::vector<DryRunCopy>* dry_run_out = nullptr;  // filled with --dry-run
  // The clock for the Date header and the attempts' times; empty: the `now` passed in.
  std::function<Time()> clock;
  // One line per delivery with the server's reply (`send -v`); may be empty. Called with the
  // sender's lock held, never concurrently.
  std::function<void(std::string_view line)> log;
  // Makes the transport from the config's [smtp] settings (a test passes a fake); empty: libcurl SMTP.
  mail::TransportFactory transport;
};

// `send ID`: a manual run of one mailing now (its owner or a superuser; not when disabled).
// It also resumes a run of it that was paused.
SendSummary send_mailing_now(store::Database& db, const Config& config, const Actor& actor, Id mailing,
                             const SendRequest& request, Time now);

// `send ID --retry-failed`: a new run of the mailing (finished or not) for the recipients whose
// last attempt failed (deferred too often), nobody else.
SendSummary send_retry_failed(store::Database& db, const Config& config, const Actor& actor, Id mailing,
                              const SendRequest& request, Time now);

// `send ID --to EMAIL`: one test copy of the mailing's message to `email`, rendered for the
// owner's client with that address when there is one. Recorded as a run of trigger `test`
// (reports leave it out); the mailing's status and schedule do not change.
SendSummary send_test_copy(store::Database& db, const Config& config, const Actor& actor, Id mailing,
                           const std::string& email, const SendRequest& request, Time now);

// `send --due`: every due run of every user, and retries of deferred recipients. A dry run
// shows every user's recipients, so it is for managers and superusers (`actor`).
SendSummary send_due(store::Database& db, const Config& config, const SendRequest& request, Time now,
                     const Actor* actor = nullptr);

// The back-off before retry number `tries` + 1 of a deferred recipient.
inline Time retry_delay(int tries) { return policy::retry_delay(tries); }

}  // namespace mailer
