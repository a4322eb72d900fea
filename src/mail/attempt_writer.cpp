#include "attempt_writer.hpp"

#include <optional>

namespace mailer {

AttemptWriter::AttemptWriter(store::Db& db, Id run, Id mailing)
    : db_(db),
      run_(run),
      mailing_(mailing),
      run_exists_(db.prepare("SELECT 1 FROM run WHERE id = ?")),
      update_recipient_(db.prepare("UPDATE run_recipient SET state = ?, tries = tries + 1, retry_at = ? "
                                   "WHERE run = ? AND client = ? AND tries = ? AND state <> 'done'")),
      insert_attempt_(db.prepare(
          "INSERT INTO attempt (run, mailing, client, email, at, status, smtp_code, server_response, message_id) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")),
      requeue_(db.prepare("UPDATE run_recipient SET state = 'deferred', retry_at = ? "
                          "WHERE run = ? AND client = ? AND tries = ? AND state <> 'done'")),
      recipient_exists_(db.prepare("SELECT 1 FROM run_recipient WHERE run = ? AND client = ?")),
      client_exists_(db.prepare("SELECT 1 FROM client WHERE id = ?")),
      copy_logged_(db.prepare("SELECT 1 FROM attempt WHERE run = ? AND message_id = ?")) {}

template <class... Args>
bool AttemptWriter::exists(store::Statement& query, const Args&... args) {
  query.bind_all(args...);
  bool found = query.step();
  query.reset();
  return found;
}

bool AttemptWriter::apply(std::span<const JournalRecord> records) {
  store::Transaction tx(db_);
  if (!exists(run_exists_, run_)) return false;  // rolled back: nothing was written
  for (const auto& r : records) {
    std::optional<Id> client = r.client;
    if (r.state == "queued") {
      // No try of the recipient's: it waits for the next send with its tries as they were;
      // the refusal is logged once.
      if (exists(copy_logged_, run_, r.message_id)) continue;
      requeue_.bind_all(r.retry_at.value_or(r.at), run_, r.client, r.tries_before);
      requeue_.run();
      if (!exists(recipient_exists_, run_, r.client)) {
        if (exists(client_exists_, r.client)) continue;  // not a recipient of this run: not ours
        client.reset();
      }
    } else {
      update_recipient_.bind_all(r.state, r.retry_at, run_, r.client, r.tries_before);
      update_recipient_.run();
      if (db_.changes() != 1) {
        if (exists(recipient_exists_, run_, r.client)) continue;  // folded before
        // A client still there but no recipient of this run: not a line of ours.
        if (exists(client_exists_, r.client)) continue;
        // The client was deleted while its copy was in flight. The copy went out all the
        // same, so the log keeps it (without the client), once.
        if (exists(copy_logged_, run_, r.message_id)) continue;
        client.reset();
      }
    }
    insert_attempt_.bind_all(run_, mailing_, client, r.email, r.at, r.status, r.smtp_code, r.response,
                             r.message_id);
    insert_attempt_.run();
  }
  tx.commit();
  return true;
}

}  // namespace mailer
