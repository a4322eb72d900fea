#include "attempt_writer.hpp"

namespace mailer {

bool AttemptWriter::apply(std::span<const JournalRecord> records) {
  results_.clear();
  results_.reserve(records.size());
  for (const auto& r : records)
    results_.push_back(runs::DeliveryResult{r.client, r.tries_before, r.at, r.status, r.state, r.retry_at,
                                            r.smtp_code, r.email, r.message_id, r.response});
  store::Transaction tx(db_);
  if (!db_.runs().fold_results(run_, mailing_, results_)) return false;  // rolled back: nothing was written
  tx.commit();
  return true;
}

}  // namespace mailer
