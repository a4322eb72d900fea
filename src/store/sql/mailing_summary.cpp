// What `mailing list` and `mailing show` say beside a mailing (SQL, both drivers): its subject, how many
// clients a run started now would send to, and its last run's tally. Three statements for
// all the mailings asked about, never three per mailing.
#include <string>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>

#include "mailings.hpp"

namespace mailer::store::sql {
namespace {

// The clients each mailing of the scope resolves to now, as create_run resolves them
// (kResolveRecipients in runs.cpp: keep the two in step): direct clients and group members
// of the mailing's owner, each once (UNION), unsubscribed and suppressed ones left out. {0}: the scope, a
// condition on `m` with at most the parameter ?1.
constexpr const char* kRecipientCounts =
    "SELECT r.mailing_id, count(*) FROM ("
    " SELECT mc.mailing_id, mc.client_id FROM mailing_client mc JOIN mailing m ON m.id = mc.mailing_id "
    " WHERE {0}"
    " UNION"
    " SELECT mg.mailing_id, gm.client_id FROM mailing_group mg JOIN mailing m ON m.id = mg.mailing_id"
    " JOIN group_member gm ON gm.group_id = mg.group_id WHERE {0}"
    ") r JOIN mailing m ON m.id = r.mailing_id JOIN client c ON c.id = r.client_id "
    "WHERE c.owner = m.owner AND c.unsubscribed_at IS NULL AND c.suppressed_at IS NULL GROUP BY r.mailing_id";

// The newest run of each mailing, test sends aside (a retry run is a run): columns mailing,
// id. Computed once for the statement, not per row: a correlated max() per attempt costs
// twice as much on a large log.
constexpr const char* kLastRuns =
    "(SELECT mailing, max(id) AS id FROM run WHERE trigger <> 'test' GROUP BY mailing) l";

// Each recipient's last try in those runs, counted by status. The recipient is the client; a
// deleted client's attempts (client NULL) keep the email (as `report attempts --final`).
// attempt has no index on run: its attempts are found through attempt_mailing.
constexpr const char* kLastRunTallies =
    "SELECT f.run, f.status, count(*) FROM (SELECT a.run, a.status, row_number() OVER (PARTITION BY "
    "a.run, coalesce(a.client, -1), CASE WHEN a.client IS NULL THEN a.email END ORDER BY a.id DESC) AS nth "
    "FROM {} JOIN mailing m ON m.id = l.mailing JOIN attempt a ON a.mailing = l.mailing AND a.run = l.id "
    "WHERE {}) f WHERE f.nth = 1 GROUP BY f.run, f.status";

}  // namespace

std::vector<MailingSummary> SqlMailingStore::summaries(std::optional<Id> owner) {
  return summarize(owner ? "m.owner = ?1" : "TRUE", owner);
}

std::optional<MailingSummary> SqlMailingStore::summary(Id id) {
  auto found = summarize("m.id = ?1", id);
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

std::vector<MailingSummary> SqlMailingStore::summarize(std::string_view scope, std::optional<Id> key) {
  const auto prepare = [&](const std::string& sql) {
    auto st = db_.prepare(sql);
    if (key) st.bind(1, *key);
    return st;
  };
  std::vector<MailingSummary> out;
  std::unordered_map<Id, std::size_t> index;
  // A mailing's message cannot be removed while the mailing exists (ON DELETE RESTRICT).
  auto subjects = prepare(fmt::format(
      "SELECT m.id, msg.subject FROM mailing m JOIN message msg ON msg.id = m.message WHERE {} ORDER BY m.id",
      scope));
  while (subjects.step()) {
    MailingSummary s;
    s.mailing = subjects.int64(0);
    s.subject = subjects.text(1);
    index.emplace(s.mailing, out.size());
    out.push_back(std::move(s));
  }
  if (out.empty()) return out;
  // Outside a transaction each statement reads its own snapshot: a mailing added in between
  // is skipped.
  const auto of = [&](Id mailing) {
    auto it = index.find(mailing);
    return it == index.end() ? nullptr : &out[it->second];
  };
  auto counts = prepare(fmt::format(kRecipientCounts, scope));
  while (counts.step())
    if (MailingSummary* s = of(counts.int64(0))) s->recipients = counts.int64(1);
  auto runs = prepare(fmt::format(
      "SELECT r.mailing, r.id, r.started_at, r.finished_at, (SELECT count(*) FROM run_recipient rr WHERE "
      "rr.run = r.id) FROM {} JOIN mailing m ON m.id = l.mailing JOIN run r ON r.id = l.id WHERE {}",
      kLastRuns, scope));
  std::unordered_map<Id, RunTally*> tally_of;
  while (runs.step()) {
    MailingSummary* s = of(runs.int64(0));
    if (!s) continue;
    RunTally& t = s->last_run.emplace();
    t.id = runs.int64(1);
    t.started_at = runs.int64(2);
    t.finished_at = runs.opt_int64(3);
    t.recipients = runs.int64(4);
    tally_of.emplace(t.id, &t);
  }
  if (tally_of.empty()) return out;
  auto tallies = prepare(fmt::format(kLastRunTallies, kLastRuns, scope));
  while (tallies.step()) {
    auto it = tally_of.find(tallies.int64(0));
    if (it == tally_of.end()) continue;
    RunTally& t = *it->second;
    const std::string status = tallies.text(1);
    const std::int64_t n = tallies.int64(2);
    if (status == "sent") t.sent = n;
    if (status == "bounced") t.bounced = n;
    if (status == "failed") t.failed = n;
    if (status == "deferred") t.deferred = n;
  }
  return out;
}

}  // namespace mailer::store::sql
