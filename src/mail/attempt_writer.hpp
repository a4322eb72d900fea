#pragma once
// Folds journaled results into the attempt table and the run's recipient rows.
#include <span>

#include "mailer/store/sqlite/db.hpp"
#include "mailer/mail/journal.hpp"
#include "mailer/core/records.hpp"

namespace mailer {

// Idempotent: a try applies only while its recipient's tries still equal the record's, and a
// record that is no try (a session refusal) or whose client was deleted meanwhile is logged
// only when its Message-ID is not logged yet, so a journal folded twice (a kill between the
// commit and emptying the file) changes nothing. Records for clients that are no recipients
// of the run and still exist are not ours and are dropped.
class AttemptWriter {
 public:
  AttemptWriter(store::Db& db, Id run, Id mailing);

  // One transaction. False when the run is gone (its mailing was removed during the send):
  // nothing is written, the results have nowhere to go.
  bool apply(std::span<const JournalRecord> records);

 private:
  template <class... Args>
  static bool exists(store::Statement& query, const Args&... args);

  store::Db& db_;
  Id run_;
  Id mailing_;
  store::Statement run_exists_;
  store::Statement update_recipient_;
  store::Statement insert_attempt_;
  store::Statement requeue_;
  store::Statement recipient_exists_;
  store::Statement client_exists_;
  store::Statement copy_logged_;
};

}  // namespace mailer
