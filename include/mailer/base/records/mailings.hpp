#pragma once
// The plain records of a mailing (SPEC §1, §3): its schedule and recipients as the mailing
// store reads and writes them and core returns them. The schedule's enums live here, below
// core, because the store reads and writes them; core/schedule.hpp computes with them.
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

}  // namespace mailer
