// The fetch loop of `bounces fetch` (mailer/bounces/fetch.hpp) over a mailbox in memory and a
// parser that reads one line: what is kept, matched, counted and flagged, and what a re-run does.
#include <doctest/doctest.h>

#include <map>
#include <set>
#include <sstream>

#include "mailer/bounces/fetch.hpp"
#include "mailer/core/tracking.hpp"
#include "store_backends.hpp"
#include "store_runs_seed.hpp"

using namespace mailer;
using test::RunSeed;

namespace {

// Messages by UID, with the flags a client gave them; each call can be made to fail.
struct MemoryMailbox final : bounces::Mailbox {
  std::map<std::uint64_t, std::string> messages;
  std::set<std::uint64_t> processed, deleted;
  std::vector<std::size_t> flag_batches;
  std::uint64_t fail_fetch_at = 0;  // a UID whose fetch fails as if the server went away

  bounces::MailboxResult uidvalidity(std::uint64_t& out) override {
    out = 77;
    return {};
  }
  bounces::MailboxResult unprocessed(std::vector<std::uint64_t>& out) override {
    out.clear();
    for (const auto& [uid, _] : messages)
      if (!processed.count(uid)) out.push_back(uid);
    return {};
  }
  bounces::MailboxResult fetch(std::uint64_t uid, std::string& out) override {
    if (uid == fail_fetch_at) return {bounces::MailboxFailure::unavailable, "connection lost"};
    auto it = messages.find(uid);
    if (it == messages.end()) return {bounces::MailboxFailure::gone, "no such message"};
    out = it->second;
    return {};
  }
  bounces::MailboxResult mark_processed(const std::vector<std::uint64_t>& uids, bool del) override {
    flag_batches.push_back(uids.size());
    for (auto uid : uids) {
      processed.insert(uid);
      if (del) deleted.insert(uid);
    }
    return {};
  }
  bounces::MailboxResult expunge(const std::vector<std::uint64_t>& uids) override {
    for (auto uid : uids)
      if (deleted.count(uid)) messages.erase(uid);
    return {};
  }
};

// "RCPT status reason severity [original-message-id]" after a blank line; "vacation": an auto-reply.
struct LineParser final : bounces::Parser {
  bounces::Report parse(std::string_view message) const override {
    bounces::Report r;
    std::string body(message.substr(message.find("\n\n") + 2));
    if (body.starts_with("vacation")) {
      r.kind = bounces::Kind::auto_reply;
      return r;
    }
    r.kind = bounces::Kind::bounce;
    bounces::Failure f;
    std::istringstream in(body);
    std::string reason, severity;
    in >> f.recipient >> f.status >> reason >> severity >> r.original_message_id;
    f.reason = bounces::reason_from_name(reason);
    f.severity = severity == "hard" ? bounces::Severity::hard : bounces::Severity::soft;
    r.failures.push_back(f);
    return r;
  }
};

std::string mail(int n, const std::string& body) {
  return "Message-ID: <report-" + std::to_string(n) + "@x>\n\n" + body;
}

}  // namespace

TEST_CASE("bounces fetch: the report's own Message-ID, folded or not") {
  CHECK(bounces::header_message_id("From: a\r\nMessage-ID: <a@b>\r\n\r\nMessage-ID: <c@d>") == "<a@b>");
  CHECK(bounces::header_message_id("message-id:\r\n <folded@b>\r\nTo: x\r\n\r\n") == "<folded@b>");
  CHECK(bounces::header_message_id("From: a\n\nMessage-ID: <in-body@b>\n").empty());
}

TEST_CASE("bounces fetch: a VERP return path names its attempt first, whatever the report quotes") {
  test::SqliteMemoryBackend b;
  test::seed_mailing(b);
  store::Database& db = b.db();
  const std::string key = tracking_key(db);
  Id older_run = db.runs().create_test_run(RunSeed::kMailing, 100);
  Id newer_run = db.runs().create_test_run(RunSeed::kMailing, 200);
  Id older = db.attempts().add_attempt(
      NewAttempt{older_run, RunSeed::kMailing, 31, "a@example.com", 110, "sent", 250, "250 ok", "<m1@shop>"});
  Id newer = db.attempts().add_attempt(
      NewAttempt{newer_run, RunSeed::kMailing, 31, "a@example.com", 210, "sent", 250, "250 ok", "<m2@shop>"});
  MemoryMailbox box;
  const std::string verp = verp_address("bounces@shop.example", key, older_run, 31);
  // Forwarded: the report names another address and quotes the newer copy's Message-ID.
  box.messages[1] = "Delivered-To: " + verp +
                    "\nMessage-ID: <r1@x>\n\nfwd@elsewhere.example 5.1.1 userunknown hard <m2@shop>";
  // A forged token, and one of another key: matched by the Message-ID quoted instead.
  std::string forged = verp;
  forged[forged.find('@') - 1] = forged[forged.find('@') - 1] == '0' ? '1' : '0';
  box.messages[2] =
      "To: Bounces <" + forged + ">\nMessage-ID: <r2@x>\n\na@example.com 5.2.2 mailboxfull soft <m2@shop>";
  box.messages[3] =
      "X-Original-To: " + verp_address("bounces@shop.example", std::string(64, 'z'), older_run, 31) +
      "\nMessage-ID: <r3@x>\n\na@example.com 5.2.2 mailboxfull soft <m1@shop>";
  LineParser parser;
  auto s = bounces::fetch_reports(box, parser, db, 300, {}, nullptr);
  CHECK(s.matched == 3);
  std::map<std::string, BounceReportRow> by_report;
  for (const auto& r : db.bounce_reports().list({std::nullopt, false}))
    by_report[db.bounce_reports().report(r.report)->message_id] = r;
  CHECK(by_report["<r1@x>"].recipient.attempt == older);
  CHECK(by_report["<r1@x>"].recipient.matched_by == "return-path");
  CHECK(by_report["<r2@x>"].recipient.attempt == newer);
  CHECK(by_report["<r2@x>"].recipient.matched_by == "message-id");
  CHECK(by_report["<r3@x>"].recipient.attempt == older);
  CHECK(by_report["<r3@x>"].recipient.matched_by == "message-id");
  // A return path of a run this client had no attempt in names nothing.
  CHECK_FALSE(bounces::return_path_attempt(
      db.bounce_reports(), key, "To: " + verp_address("b@x.example", key, newer_run + 5, 31) + "\n\n"));
}

TEST_CASE("bounces fetch: kept, matched, flagged in batches; a re-run counts nothing twice") {
  test::SqliteMemoryBackend b;
  test::seed_mailing(b);
  store::Database& db = b.db();
  Id run = db.runs().create_test_run(RunSeed::kMailing, 100);
  Id by_id = db.attempts().add_attempt(
      NewAttempt{run, RunSeed::kMailing, 31, "a@example.com", 110, "sent", 250, "250 ok", "<m1@shop>"});
  Id latest = db.attempts().add_attempt(
      NewAttempt{run, RunSeed::kMailing, 31, "a@example.com", 120, "sent", 250, "250 ok", "<m2@shop>"});
  MemoryMailbox box;
  box.messages[1] = mail(1, "a@example.com 5.2.2 mailboxfull soft <m1@shop>");
  box.messages[2] = mail(2, "A@example.com 5.1.1 userunknown hard");
  box.messages[3] = mail(3, "nobody@example.net 5.1.1 userunknown hard");
  box.messages[4] = mail(4, "vacation");
  for (int n = 5; n < 5 + 150; ++n) box.messages[static_cast<std::uint64_t>(n)] = mail(n, "vacation");
  LineParser parser;
  const Time now = 120 + 24 * 3600;

  auto s = bounces::fetch_reports(box, parser, db, now, {}, nullptr);
  CHECK(s.fetched == 154);
  CHECK(s.matched == 2);
  CHECK(s.hard == 2);
  CHECK(s.soft == 1);
  CHECK(s.not_bounce == 151);
  CHECK(box.processed.size() == 154);
  CHECK(box.flag_batches == std::vector<std::size_t>{100, 54});
  CHECK(box.messages.size() == 154);  // nothing deleted without expunge

  auto rows = db.bounce_reports().list({std::nullopt, false});
  std::map<std::string, BounceReportRow> by_recipient;
  for (const auto& r : rows)
    if (!r.recipient.recipient.empty()) by_recipient[r.recipient.recipient] = r;
  CHECK(by_recipient["a@example.com"].recipient.attempt == by_id);
  CHECK(by_recipient["a@example.com"].recipient.matched_by == "message-id");
  CHECK(by_recipient["A@example.com"].recipient.attempt == latest);
  CHECK(by_recipient["A@example.com"].recipient.matched_by == "recipient");
  CHECK_FALSE(by_recipient["nobody@example.net"].recipient.attempt);

  // The flags lost (a run killed after its commits): read again, kept and counted once.
  box.processed.clear();
  auto again = bounces::fetch_reports(box, parser, db, now, {}, nullptr);
  CHECK(again.fetched == 0);
  CHECK(again.already == 154);
  CHECK(again.hard + again.soft + again.matched == 0);
  CHECK(db.bounce_reports().list({std::nullopt, false}).size() == rows.size());

  // Recipient matching looks back 30 days only.
  CHECK_FALSE(bounces::match_recipient(db.bounce_reports(), std::nullopt, "", 1, "a@example.com",
                                       120 + 31 * 24 * 3600));
}

TEST_CASE("bounces fetch: --expunge removes what this run processed; a failure stops the run") {
  test::SqliteMemoryBackend b;
  store::Database& db = b.db();
  MemoryMailbox box;
  LineParser parser;
  box.messages[1] = mail(1, "vacation");
  box.processed.insert(1);  // an earlier run's
  box.messages[2] = mail(2, "vacation");
  box.messages[3] = mail(3, "vacation");
  bounces::FetchOptions expunge;
  expunge.expunge = true;
  auto s = bounces::fetch_reports(box, parser, db, 1000, expunge, nullptr);
  CHECK(s.expunged == 2);
  CHECK(box.messages.size() == 1);
  CHECK(box.messages.count(1) == 1);

  box.messages[4] = mail(4, "vacation");
  box.messages[5] = mail(5, "vacation");
  box.fail_fetch_at = 5;
  CHECK_THROWS_AS(bounces::fetch_reports(box, parser, db, 1000, {}, nullptr), Error);
  CHECK(db.bounce_reports().known("imap:77:4", ""));  // recorded before the failure
  box.fail_fetch_at = 0;
  auto rest = bounces::fetch_reports(box, parser, db, 1000, {}, nullptr);
  CHECK(rest.fetched == 1);
  CHECK(rest.already == 1);
}
