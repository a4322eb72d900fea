#include "events.hpp"

namespace mailer::store::sql {

std::optional<DeliveredAttempt> SqlEventStore::delivered_attempt(Id run, Id client) {
  // Through the run's mailing, so that index attempt_mailing(mailing, status) narrows the scan.
  auto st = db_.prepare(
      "SELECT id, at FROM attempt WHERE mailing = (SELECT mailing FROM run WHERE id = ?1) "
      "AND status = 'sent' AND run = ?1 AND client = ?2 ORDER BY at DESC, id DESC LIMIT 1");
  st.bind_all(run, client);
  if (!st.step()) return std::nullopt;
  return DeliveredAttempt{st.int64(0), st.int64(1)};
}

void SqlEventStore::add_events(const std::vector<NewEvent>& batch) {
  if (batch.empty()) return;
  // Prepared once per batch: a batch is up to a thousand rows of the same two statements.
  auto insert = db_.prepare(
      "INSERT INTO event (attempt, run, client, kind, at, detail, user_agent, counted) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  std::optional<Statement> unsubscribe;
  for (const NewEvent& e : batch) {
    insert.bind_all(e.attempt, e.run, e.client, e.kind, e.at, e.detail, e.user_agent, e.counted);
    insert.run();
    if (e.kind != "unsubscribe") continue;
    if (!unsubscribe)
      unsubscribe = db_.prepare(
          "UPDATE client SET unsubscribed_at = ?, unsubscribed_via = ? "
          "WHERE id = ? AND unsubscribed_at IS NULL");
    unsubscribe->bind_all(e.at, e.detail, e.client);
    unsubscribe->run();
  }
}

std::vector<Event> SqlEventStore::list_events(Id run, Id client) {
  auto st = db_.prepare(
      "SELECT id, attempt, kind, at, detail, user_agent, counted FROM event "
      "WHERE run = ? AND client = ? ORDER BY at, id");
  st.bind_all(run, client);
  std::vector<Event> out;
  while (st.step()) {
    Event e;
    e.id = st.int64(0);
    e.attempt = st.int64(1);
    e.run = run;
    e.client = client;
    e.kind = st.text(2);
    e.at = st.int64(3);
    e.detail = st.text(4);
    e.user_agent = st.text(5);
    e.counted = st.int64(6) != 0;
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace mailer::store::sql
