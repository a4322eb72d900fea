#pragma once
// Plain records of runs and their recipients (SPEC §3), as the run store reads and writes them.
#include <cstddef>
#include <optional>
#include <string>

#include "mailer/base/ids.hpp"
#include "mailer/base/time.hpp"

namespace mailer::runs {

// A run as a sender takes it up.
struct RunInfo {
  Id id = 0;
  Id mailing = 0;
  Id owner = 0;
  Id message = 0;
  std::string trigger;  // schedule, manual, retry, test
  Time started_at = 0;
  std::optional<std::string> journal;  // where the last sender of it journaled
};

// A run of a mailing that has not finished (test sends aside), as removing the mailing asks.
struct OpenRun {
  Id id = 0;
  // The mailing was stopped, so the run ends soon unless a sender still holds it.
  bool mailing_finished = false;
};

// Why a run being sent must stop now, if it must.
enum class Halt { none, gone, stopped, disabled, owner_blocked };

// One recipient of a run (or of a mailing as of now), with its tries so far.
struct RunRecipient {
  Id client = 0;
  std::string email;
  std::string name;
  int tries = 0;
};

// One journaled delivery result to fold into the run (the fields of a journal record).
struct DeliveryResult {
  Id client = 0;
  int tries_before = 0;  // the recipient's tries when this delivery was handed out
  Time at = 0;
  std::string status;  // attempt status: sent, bounced, deferred, failed
  std::string state;   // recipient state after it: done, deferred, or queued (no try)
  std::optional<Time> retry_at;
  std::optional<int> smtp_code;
  std::string email;
  std::string message_id;
  std::string response;
};

// A result that fold_results() logged as a new bounced attempt: which result, which attempt.
struct FoldedBounce {
  std::size_t result = 0;  // its index in the results folded
  Id attempt = 0;
};

// The worker of a shared run whose results fold_results() applies (only those whose lease it
// still holds), and how many it dropped because another worker had taken them over.
struct LeaseFence {
  Id owner = 0;
  std::size_t lost = 0;
};

}  // namespace mailer::runs
