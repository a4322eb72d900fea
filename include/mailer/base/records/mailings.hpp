#pragma once
// The plain records of a mailing (SPEC §1, §3): its schedule and recipients as the mailing
// store reads and writes them and core returns them. The schedule's enums live here, below
// core, because the store reads and writes them; core/schedule.hpp computes with them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mailer/base/ids.hpp"
#include "mailer/base/time.hpp"

namespace mailer {
namespace schedule {

enum class Every { once, daily, weekly, monthly };
enum class Status { created, running, finished };

}  // namespace schedule

struct Mailing {
  Id id = 0;
  Id owner = 0;
  std::string owner_email;
  std::string name;
  Id message = 0;
  std::vector<Id> clients;
  std::vector<std::string> groups;
  Time start_at = 0;
  std::optional<Time> end_at;
  schedule::Every every = schedule::Every::once;
  schedule::Status status = schedule::Status::created;
  bool enabled = true;
  std::optional<Time> next_run_at;
  Time created_at = 0;
};

// A mailing whose next slot has come, with what the schedule needs to decide on it.
struct DueMailing {
  Id id = 0;
  Id owner = 0;
  Id message = 0;
  Time start_at = 0;
  std::optional<Time> end_at;
  std::string every;   // as stored: once, daily, ...
  std::string status;  // as stored: created, running, finished
  bool enabled = false;
  Time next_run_at = 0;
  bool owner_can_send = false;  // active and verified
};

// A mailing that sends to a group (which therefore cannot go).
struct GroupUser {
  Id mailing = 0;
  std::string name;  // the mailing's name, may be empty
};

// A run's recipients by their final state: each one's last try counts, not every try (a 451
// then a 250 is one sent). Those with no try yet, or deferred, are in neither count.
struct RunTally {
  Id id = 0;
  Time started_at = 0;
  std::optional<Time> finished_at;
  std::int64_t recipients = 0;  // resolved when the run started
  std::int64_t sent = 0;
  std::int64_t bounced = 0;
  std::int64_t failed = 0;
  std::int64_t deferred = 0;  // waiting for another try
};

// What `mailing list` and `mailing show` say beside the mailing itself.
struct MailingSummary {
  Id mailing = 0;
  std::string subject;  // its message's, as stored (a template)
  // The clients a run started now would send to: each once, unsubscribed ones left out.
  std::int64_t recipients = 0;
  std::optional<RunTally> last_run;  // the newest run, test sends aside
};

}  // namespace mailer
