#pragma once
// The runs of mailings as the sender reads and writes them (SPEC §3): created once per due
// slot inside BEGIN IMMEDIATE, claimed, halted, closed.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "mailer/store/sqlite/db.hpp"
#include "mailer/core/records.hpp"
#include "mailer/base/time.hpp"

namespace mailer::runs {

struct RunInfo {
  Id id = 0;
  Id mailing = 0;
  Id owner = 0;
  Id message = 0;
  std::string trigger;                // schedule, manual, retry, test
  Time started_at = 0;
  std::optional<std::string> journal; // where the last sender of it journaled
};

// The recipients of a mailing as of now: direct clients and group members, each once,
// without those who unsubscribed. Parameters: ?1 mailing, ?2 owner. Columns: id, email, name.
extern const char* const kResolveRecipients;

// Creates a run with its recipients resolved now; inside the caller's transaction.
Id create_run(store::Db& db, Id mailing, Id owner, const char* trigger, Time scheduled_for, Time now);

// Due mailings become runs, all in one BEGIN IMMEDIATE transaction: two overlapping
// `send --due` see each other's schedule advance and never create the same run twice.
void create_due_runs(store::Db& db, Time now);

// Runs with work left whose mailing may send now; `only_run` picks one. Paused runs only
// when `with_paused`.
std::vector<RunInfo> open_runs(store::Db& db, Time now, std::optional<Id> only_run, bool with_paused);

// Open runs that no sender will take again (their mailing is stopped or finished) or whose
// recipients are all done: what `settle` closes.
std::vector<RunInfo> runs_to_settle(store::Db& db);

// Why a run being sent must stop now, if it must.
enum class Halt { none, gone, stopped, disabled, owner_blocked };
const char* halt_words(Halt halt);

// Asks the database whether a run may go on (one prepared statement, reused).
class HaltCheck {
 public:
  HaltCheck(store::Db& db, Id run);
  Halt check();

 private:
  Id run_;
  store::Statement query_;
};

// Marks the run as this process's (`claimed_by`) with its journal path; false when the run
// no longer exists (its mailing was removed meanwhile).
bool claim(store::Db& db, Id run, const std::string& claimed_by, const std::optional<std::string>& journal);
void forget_journal(store::Db& db, Id run);

// Records why a run stopped; `pause` keeps `send --due` off it until `send ID` resumes it.
void record_error(store::Db& db, Id run, const std::string& error, Time now, bool pause);
// `send ID`: its paused runs are taken up again.
void resume_paused(store::Db& db, Id mailing);

// Recipients of the run that are not done.
std::size_t left_to_send(store::Db& db, Id run);

// Closes a run whose recipients are all done (or whose mailing was stopped), and finishes its
// mailing when no slot is left.
void close_if_done(store::Db& db, Id run, Id mailing, Time now);

}  // namespace mailer::runs
