// The SQL drivers' run store, the fold of journaled results: the hot write path of a send, with its
// statements prepared once per store and rebound for every record.
#include "runs.hpp"

namespace mailer::store::sql {
namespace {

template <class... Args>
bool exists(Statement& query, const Args&... args) {
  query.bind_all(args...);
  bool found = query.step();
  query.reset();
  return found;
}

}  // namespace

bool SqlRunStore::fold_results(Id run, Id mailing, std::span<const runs::DeliveryResult> results,
                               std::vector<runs::FoldedBounce>* bounced, runs::LeaseFence* fence) {
  Statement& run_exists = cached(run_exists_, "SELECT 1 FROM run WHERE id = ?");
  if (!exists(run_exists, run)) return false;
  // Owner 0: no fence (one sender per run, or a journal folded by whoever claimed the run).
  const Id owner = fence ? fence->owner : 0;
  Statement& update_recipient =
      cached(update_recipient_,
             "UPDATE run_recipient SET state = ?1, tries = tries + 1, retry_at = ?2, lease_owner = NULL, "
             "lease_until = NULL WHERE run = ?3 AND client = ?4 AND tries = ?5 AND state <> 'done' AND "
             "(?6 = 0 OR lease_owner = ?6)");
  Statement& insert_attempt = cached(
      insert_attempt_,
      "INSERT INTO attempt (run, mailing, client, email, at, status, smtp_code, server_response, message_id) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  // A bounced attempt's id is wanted for its bounce event; a sent one's is not (the hot case).
  Statement& insert_bounced = cached(
      insert_bounced_,
      "INSERT INTO attempt (run, mailing, client, email, at, status, smtp_code, server_response, message_id) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
  Statement& requeue =
      cached(requeue_,
             "UPDATE run_recipient SET state = 'deferred', retry_at = ?1, lease_owner = NULL, "
             "lease_until = NULL WHERE run = ?2 AND client = ?3 AND tries = ?4 AND "
             "state <> 'done' AND (?5 = 0 OR lease_owner = ?5)");
  Statement& recipient_exists =
      cached(recipient_exists_, "SELECT 1 FROM run_recipient WHERE run = ? AND client = ?");
  Statement& client_exists = cached(client_exists_, "SELECT 1 FROM client WHERE id = ?");
  Statement& copy_logged = cached(copy_logged_, "SELECT 1 FROM attempt WHERE run = ? AND message_id = ?");
  for (std::size_t i = 0; i < results.size(); ++i) {
    const runs::DeliveryResult& r = results[i];
    std::optional<Id> client = r.client;
    if (r.state == "queued") {
      // No try of the recipient's: it waits for the next send with its tries as they were;
      // the refusal is logged once.
      if (exists(copy_logged, run, r.message_id)) continue;
      requeue.bind_all(r.retry_at.value_or(r.at), run, r.client, r.tries_before, owner);
      requeue.run();
      if (owner != 0 && db_.changes() != 1) {
        ++fence->lost;  // another worker has the recipient now: its attempt is the one logged
        continue;
      }
      if (!exists(recipient_exists, run, r.client)) {
        if (exists(client_exists, r.client)) continue;  // not a recipient of this run: not ours
        client.reset();
      }
    } else {
      update_recipient.bind_all(r.state, r.retry_at, run, r.client, r.tries_before, owner);
      update_recipient.run();
      if (db_.changes() != 1) {
        if (exists(recipient_exists, run, r.client)) {
          if (owner != 0) ++fence->lost;  // taken over by another worker
          continue;                       // or folded before
        }
        // A client still there but no recipient of this run: not a line of ours.
        if (exists(client_exists, r.client)) continue;
        // The client was deleted while its copy was in flight. The copy went out all the
        // same, so the log keeps it (without the client), once.
        if (exists(copy_logged, run, r.message_id)) continue;
        client.reset();
      }
    }
    if (bounced && r.status == "bounced") {
      insert_bounced.bind_all(run, mailing, client, r.email, r.at, r.status, r.smtp_code, r.response,
                              r.message_id);
      bounced->push_back(runs::FoldedBounce{i, insert_bounced.returned_id()});
      insert_bounced.reset();
      continue;
    }
    insert_attempt.bind_all(run, mailing, client, r.email, r.at, r.status, r.smtp_code, r.response,
                            r.message_id);
    insert_attempt.run();
  }
  return true;
}

}  // namespace mailer::store::sql
