// The SQL drivers' bounce store: bounce events and the history that soft bounces are counted on.
#include "bounces.hpp"

namespace mailer::store::sql {

std::optional<BounceTarget> SqlBounceStore::bounce_target(Id attempt) {
  auto st = db_.prepare(
      "SELECT a.id, a.run, a.client, m.owner, a.status, c.unsuppressed_at, c.suppressed_at FROM attempt a "
      "JOIN mailing m ON m.id = a.mailing LEFT JOIN client c ON c.id = a.client WHERE a.id = ?");
  st.bind(1, attempt);
  if (!st.step()) return std::nullopt;
  BounceTarget t;
  t.attempt = st.int64(0);
  t.run = st.int64(1);
  t.client = st.opt_int64(2);
  t.owner = st.int64(3);
  t.status = st.text(4);
  t.unsuppressed_at = st.opt_int64(5);
  t.suppressed = st.opt_int64(6).has_value();
  return t;
}

bool SqlBounceStore::add_bounce_event(const NewBounceEvent& e) {
  db_.prepare(
         "INSERT INTO event (attempt, run, client, kind, at, detail, report_key) VALUES (?, ?, ?, ?, ?, ?, "
         "?) "
         "ON CONFLICT DO NOTHING")
      .bind_all(e.attempt, e.run, e.client, e.kind, e.at, e.detail, e.report_key)
      .run();
  return db_.changes() == 1;
}

void SqlBounceStore::mark_attempt_bounced(Id attempt) {
  db_.prepare("UPDATE attempt SET status = 'bounced' WHERE id = ? AND status = 'sent'")
      .bind(1, attempt)
      .run();
}

std::vector<DeliveryOutcome> SqlBounceStore::recent_outcomes(Id client, std::optional<Time> since,
                                                             int limit) {
  // One row per attempt and bounce event (none: one row with a NULL detail), newest first;
  // read until `limit` attempts are complete.
  auto st = db_.prepare(
      "SELECT a.id, a.status, e.detail FROM attempt a JOIN run r ON r.id = a.run "
      "LEFT JOIN event e ON e.attempt = a.id AND e.kind = 'bounce' "
      "WHERE a.client = ?1 AND a.status IN ('sent', 'bounced') AND r.trigger <> 'test' AND a.at >= ?2 "
      "ORDER BY a.id DESC, e.id");
  st.bind_all(client, since.value_or(0));
  std::vector<DeliveryOutcome> out;
  while (st.step()) {
    const Id id = st.int64(0);
    if (out.empty() || out.back().attempt != id) {
      if (static_cast<int>(out.size()) == limit) break;
      out.push_back(DeliveryOutcome{id, st.text(1), {}});
    }
    if (auto detail = st.opt_text(2)) out.back().bounce_details.push_back(*detail);
  }
  st.reset();
  return out;
}

}  // namespace mailer::store::sql
