#pragma once
// Sending (SPEC §3): claims runs inside the database, streams their recipients through
// compose -> SMTP, and makes each result durable (the run's delivery journal, see journal.hpp)
// before its connection takes the next recipient.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "mailer/access.hpp"
#include "mailer/attempts.hpp"
#include "mailer/config.hpp"
#include "mailer/db.hpp"
#include "mailer/records.hpp"
#include "mailer/time.hpp"

namespace mailer {

// What one `send` did, over all the runs it handled.
struct SendSummary {
  std::size_t runs = 0;
  std::size_t total = 0;      // recipients it tried
  std::size_t sent = 0;
  std::size_t bounced = 0;
  std::size_t deferred = 0;
  std::size_t failed = 0;     // deferred too often: given up
  std::size_t unavailable = 0;  // of the deferred and failed: the server could not be reached
                                // or refused the session (greeting, login, sender)
  std::string unavailable_reason;  // the last such reply or error, for the user
  std::size_t busy = 0;       // runs left alone: another live process is sending them
  double elapsed_s = 0;
};

// The exit status of SPEC §6 for a summary: 0, 69 (nothing could be sent because the server
// was unavailable), or 75 (some deferred).
int send_exit_code(const SendSummary& summary);

// One message `--dry-run` would send.
struct DryRunCopy {
  Id mailing = 0;
  std::string email;
  std::string subject;
  std::size_t size = 0;   // octets of the composed message
};

// Progress for a terminal: recipients done and known so far.
using SendProgress = std::function<void(std::size_t done, std::size_t total)>;

struct SendRequest {
  bool dry_run = false;
  SendProgress progress;                       // may be empty
  std::vector<DryRunCopy>* dry_run_out = nullptr;  // filled with --dry-run
};

// `send ID`: a manual run of one mailing now (its owner or a superuser; not when disabled).
SendSummary send_mailing_now(store::Db& db, const Config& config, const Actor& actor, Id mailing,
                             const SendRequest& request, Time now);

// `send --due`: every due run of every user, and retries of deferred recipients.
SendSummary send_due(store::Db& db, const Config& config, const SendRequest& request, Time now);

// The back-off before retry number `tries` + 1 of a deferred recipient.
Time retry_delay(int tries);

}  // namespace mailer
