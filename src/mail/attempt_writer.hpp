#pragma once
// Folds journaled results into the attempt table and the run's recipient rows.
#include <span>
#include <vector>

#include "mailer/base/records/runs.hpp"
#include "mailer/mail/journal.hpp"
#include "mailer/store/database.hpp"

namespace mailer {

// Idempotent (see store::RunStore::fold_results): a journal folded twice (a kill between the
// commit and emptying the file) changes nothing. A bounced attempt's bounce is recorded with it
// (core/suppression.hpp), which may suppress its client (`soft_limit`: bounces.soft_limit).
class AttemptWriter {
 public:
  // `lease_owner`: the worker of a shared run whose leases fence its results (0: none).
  AttemptWriter(store::Database& db, Id run, Id mailing, int soft_limit, Id lease_owner = 0)
      : db_(db), run_(run), mailing_(mailing), soft_limit_(soft_limit), lease_owner_(lease_owner) {}

  // One transaction, tried again (up to 3 times) when the database answers busy or with a
  // deadlock (Errc::temp_failure). False when the run is gone (its mailing was removed during
  // the send): nothing is written, the results have nowhere to go.
  bool apply(std::span<const JournalRecord> records);
  // Results dropped so far because another worker had taken their recipients over.
  std::size_t lost() const { return lost_; }

 private:
  bool apply_once(std::span<const JournalRecord> records);
  store::Database& db_;
  Id run_;
  Id mailing_;
  int soft_limit_;
  Id lease_owner_;
  std::size_t lost_ = 0;
  std::vector<runs::DeliveryResult> results_;  // kept, so a fold reuses its capacity
  std::vector<runs::FoldedBounce> bounced_;
};

}  // namespace mailer
