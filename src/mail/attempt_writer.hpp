#pragma once
// Folds journaled results into the attempt table and the run's recipient rows.
#include <span>
#include <vector>

#include "mailer/base/records/runs.hpp"
#include "mailer/mail/journal.hpp"
#include "mailer/store/database.hpp"

namespace mailer {

// Idempotent (see store::RunStore::fold_results): a journal folded twice (a kill between the
// commit and emptying the file) changes nothing.
class AttemptWriter {
 public:
  AttemptWriter(store::Database& db, Id run, Id mailing) : db_(db), run_(run), mailing_(mailing) {}

  // One transaction. False when the run is gone (its mailing was removed during the send):
  // nothing is written, the results have nowhere to go.
  bool apply(std::span<const JournalRecord> records);

 private:
  store::Database& db_;
  Id run_;
  Id mailing_;
  std::vector<runs::DeliveryResult> results_;  // kept, so a fold reuses its capacity
};

}  // namespace mailer
