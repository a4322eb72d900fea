#pragma once
// The runs of mailings as the sender takes them (SPEC §3): made once per due slot inside
// BEGIN IMMEDIATE, claimed, halted, closed. Their rows are the run store's (db.runs()).
#include <optional>
#include <string>

#include "mailer/base/records/runs.hpp"
#include "mailer/base/time.hpp"
#include "mailer/store/database.hpp"

namespace mailer::runs {

// Due mailings become runs, all in one BEGIN IMMEDIATE transaction: two overlapping
// `send --due` see each other's schedule advance and never create the same run twice.
void create_due_runs(store::Database& db, Time now);

// Why a run stopped, for the user.
const char* halt_words(Halt halt);

// Asks the database whether a run may go on (the store keeps the statement prepared).
class HaltCheck {
 public:
  HaltCheck(store::Database& db, Id run) : db_(db), run_(run) {}
  Halt check() { return db_.runs().halt_of(run_); }

 private:
  store::Database& db_;
  Id run_;
};

// Marks the run as this process's (`claimed_by`) with its journal path, in a transaction of
// its own; false when the run no longer exists (its mailing was removed meanwhile).
bool claim(store::Database& db, Id run, const std::string& claimed_by,
           const std::optional<std::string>& journal);

// Closes a run whose recipients are all done (or whose mailing was stopped), and finishes its
// mailing when no slot is left; in a transaction of its own.
void close_if_done(store::Database& db, Id run, Id mailing, Time now);

}  // namespace mailer::runs
