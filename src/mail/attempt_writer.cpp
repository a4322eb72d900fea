#include "attempt_writer.hpp"

#include <chrono>
#include <thread>

#include "mailer/base/error.hpp"
#include "mailer/core/suppression.hpp"

namespace mailer {

bool AttemptWriter::apply(std::span<const JournalRecord> records) {
  // A writer that does not take mailer's write lock (an administrator's psql deleting a
  // mailing, say) can deadlock with this commit on PostgreSQL, which then rolls one of the two
  // back: the results are still here, so the commit is tried again after a short pause. SQLite
  // has waited its busy timeout already; a second wait is as likely to succeed.
  for (int retry = 0;; ++retry) {
    try {
      return apply_once(records);
    } catch (const Error& e) {
      if (e.code() != Errc::temp_failure || retry == 3) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(20 << retry));
    }
  }
}

bool AttemptWriter::apply_once(std::span<const JournalRecord> records) {
  results_.clear();
  results_.reserve(records.size());
  for (const auto& r : records)
    results_.push_back(runs::DeliveryResult{r.client, r.tries_before, r.at, r.status, r.state, r.retry_at,
                                            r.smtp_code, r.email, r.message_id, r.response});
  bounced_.clear();
  store::Transaction tx(db_);
  runs::LeaseFence fence{lease_owner_, 0};
  if (!db_.runs().fold_results(run_, mailing_, results_, &bounced_, lease_owner_ ? &fence : nullptr))
    return false;  // rolled back: nothing was written
  // A 5xx to RCPT counts as a mailed report would (SPEC §3): classified from the reply, recorded
  // on the attempt just logged, in the same commit, so a journal folded again (its attempts are
  // not logged twice) records no bounce twice either.
  for (const runs::FoldedBounce& b : bounced_) {
    const JournalRecord& r = records[b.result];
    apply_bounce(db_, b.attempt, verdict_of_reply(r.smtp_code.value_or(0), r.response), r.at, soft_limit_);
  }
  tx.commit();
  lost_ += fence.lost;
  return true;
}

}  // namespace mailer
