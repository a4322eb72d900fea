// Reading the bounce mailbox: fetch, parse, keep, match, record, flag (mailer/bounces/fetch.hpp).
#include "mailer/bounces/fetch.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "ascii.hpp"
#include "mailer/base/error.hpp"
#include "mailer/core/suppression.hpp"
#include "mailer/core/tracking.hpp"

namespace mailer::bounces {
namespace {

bool same_address(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii::lower(a[i]) != ascii::lower(b[i])) return false;
  return true;
}

[[noreturn]] void fail(const MailboxResult& r, std::string_view doing) {
  switch (r.failure) {
    case MailboxFailure::login:
      throw Error(Errc::config, fmt::format("the IMAP server refused the login: {}", r.message),
                  "check imap.username and the variable imap.password_env names");
    case MailboxFailure::tls:
      throw Error(Errc::unavailable, fmt::format("IMAP over TLS failed: {}", r.message),
                  "the server must offer STARTTLS (imap://) or TLS (imaps://) unless it is this host");
    default:
      throw Error(Errc::unavailable, fmt::format("IMAP: {} failed: {}", doing, r.message),
                  "check imap.url and that the server is up; nothing was lost, fetch again later");
  }
}

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::bounce:
      return "bounce";
    case Kind::delayed:
      return "delayed";
    case Kind::auto_reply:
      return "auto_reply";
    case Kind::complaint:
      return "complaint";
    case Kind::not_bounce:
      break;
  }
  return "not_bounce";
}

// Keeps one message and records what it says; false when an earlier run had kept it.
bool keep(store::Database& db, const std::string& key, const std::string& identity, std::string& raw,
          const Report& report, Time now, const FetchOptions& options, FetchSummary& summary) {
  store::BounceReportStore& reports = db.bounce_reports();
  NewBounceReport kept;
  kept.identity = identity;
  kept.message_id = header_message_id(raw);
  kept.received = now;
  kept.kind = kind_name(report.kind);
  const bool failed = report.kind == Kind::bounce || report.kind == Kind::complaint;
  FetchSummary counts;
  std::vector<std::pair<Id, BounceVerdict>> verdicts;
  const std::optional<BouncedAttempt> by_return_path =
      failed ? return_path_attempt(reports, key, raw) : std::nullopt;
  for (const Failure& f : report.failures) {
    BounceRecipient r{f.recipient, f.status, reason_name(f.reason), severity_name(f.severity), f.diagnostic,
                      {},          {}};
    if (failed) {
      if (auto m = match_recipient(reports, by_return_path, report.original_message_id,
                                   report.failures.size(), f.recipient, now)) {
        r.attempt = m->attempt.attempt;
        r.matched_by = m->by;
        ++counts.matched;
        BounceVerdict v;
        v.reason = f.reason;
        v.status = f.status;
        v.severity = f.severity;
        v.diagnostic = f.diagnostic;
        v.source = "report";
        v.report_key = identity;
        verdicts.emplace_back(m->attempt.attempt, std::move(v));
      }
      if (report.kind == Kind::complaint) {
        ++counts.complaints;
      } else {
        ++(f.severity == Severity::hard ? counts.hard : counts.soft);
        if (f.reason == Reason::undefined) ++counts.unknown;
      }
    }
    kept.recipients.push_back(std::move(r));
  }
  if (!failed || report.failures.empty()) counts.not_bounce = 1;
  kept.raw.swap(raw);
  store::Transaction tx(db);
  if (reports.known(identity, kept.message_id) || !reports.add(kept)) {
    raw.swap(kept.raw);
    return false;
  }
  // The one place a fetched report's bounces are recorded on their attempts (core's rule).
  for (const auto& [attempt, verdict] : verdicts) apply_bounce(db, attempt, verdict, now, options.soft_limit);
  tx.commit();
  raw.swap(kept.raw);
  summary.matched += counts.matched;
  summary.hard += counts.hard;
  summary.soft += counts.soft;
  summary.unknown += counts.unknown;
  summary.complaints += counts.complaints;
  summary.not_bounce += counts.not_bounce;
  return true;
}

}  // namespace

std::vector<std::string> header_values(std::string_view message, std::string_view name) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < message.size()) {
    std::size_t end = message.find('\n', at);
    if (end == std::string_view::npos) end = message.size();
    std::string_view line = message.substr(at, end - at);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // the end of the header
    if (line.size() > name.size() && line[name.size()] == ':' &&
        same_address(line.substr(0, name.size()), name)) {
      std::string value(line.substr(name.size() + 1));
      // A folded value continues on the lines that start with white space.
      std::size_t next = end + 1;
      while (next < message.size() && (message[next] == ' ' || message[next] == '\t')) {
        std::size_t e = message.find('\n', next);
        if (e == std::string_view::npos) e = message.size();
        value += message.substr(next, e - next);
        end = e;
        next = e + 1;
      }
      out.push_back(std::move(value));
    }
    at = end + 1;
  }
  return out;
}

std::string header_message_id(std::string_view message) {
  const std::vector<std::string> values = header_values(message, "message-id");
  std::string out;
  if (!values.empty())
    for (char c : values.front())
      if (c != ' ' && c != '\t' && c != '\r') out += c;
  return out;
}

std::optional<BouncedAttempt> return_path_attempt(store::BounceReportStore& store, const std::string& key,
                                                  std::string_view message) {
  // Where the delivering server put the envelope recipient of the report: our VERP address.
  static constexpr const char* kFields[] = {"delivered-to", "x-original-to", "envelope-to", "x-envelope-to",
                                            "to"};
  for (const char* field : kFields) {
    for (const std::string& value : header_values(message, field)) {
      std::size_t at = 0;
      while (at < value.size()) {
        const std::size_t end = std::min(value.find_first_of(" \t\r<>,;\"()", at), value.size());
        const std::string_view word = std::string_view(value).substr(at, end - at);
        at = end + 1;
        if (word.find('@') == std::string_view::npos) continue;
        if (auto target = verp_target(key, word))
          if (auto attempt = store.attempt_in_run(target->run, target->client)) return attempt;
      }
    }
  }
  return std::nullopt;
}

std::optional<Match> match_recipient(store::BounceReportStore& store,
                                     const std::optional<BouncedAttempt>& by_return_path,
                                     const std::string& original_message_id, std::size_t recipients,
                                     const std::string& recipient, Time now) {
  // Each copy names one attempt, so in a report of several recipients (a) and (b) are taken
  // only for that attempt's address.
  auto names = [&](const BouncedAttempt& a) { return recipients == 1 || same_address(a.email, recipient); };
  // (a) The VERP return path the report was sent to: ours, signed, whatever the report quotes.
  if (by_return_path && names(*by_return_path)) return Match{*by_return_path, "return-path"};
  // (b) The original's Message-ID, quoted in the report.
  if (!original_message_id.empty()) {
    if (auto a = store.attempt_by_message_id(original_message_id)) {
      if (names(*a)) return Match{*a, "message-id"};
    }
  }
  // (c) The recipient alone: the latest attempt to that address within the recent sends.
  if (recipient.empty()) return std::nullopt;
  if (auto a = store.latest_attempt_to(recipient, now - kRecentSendSeconds)) return Match{*a, "recipient"};
  return std::nullopt;
}

FetchSummary fetch_reports(Mailbox& mailbox, const Parser& parser, store::Database& db, Time now,
                           const FetchOptions& options, const FetchProgress& progress) {
  std::uint64_t validity = 0;
  if (MailboxResult r = mailbox.uidvalidity(validity); !r) fail(r, "STATUS");
  std::vector<std::uint64_t> uids;
  if (MailboxResult r = mailbox.unprocessed(uids); !r) fail(r, "SEARCH");
  const std::string key = tracking_key(db);  // VERP addresses are signed with it
  FetchSummary summary;
  std::vector<std::uint64_t> processed;
  std::string raw;          // one message at a time: memory stays bounded whatever the mailbox holds
  std::size_t flagged = 0;  // processed[0, flagged) carry the keyword on the server
  auto flag = [&](std::size_t upto) {
    if (upto == flagged) return;
    const std::vector<std::uint64_t> batch(processed.begin() + static_cast<std::ptrdiff_t>(flagged),
                                           processed.begin() + static_cast<std::ptrdiff_t>(upto));
    if (MailboxResult r = mailbox.mark_processed(batch, options.expunge); !r)
      fail(r, fmt::format("STORE of {} UIDs", batch.size()));
    flagged = upto;
  };
  for (std::size_t i = 0; i < uids.size(); ++i) {
    const std::uint64_t uid = uids[i];
    if (MailboxResult r = mailbox.fetch(uid, raw); !r) {
      if (r.failure != MailboxFailure::gone) fail(r, fmt::format("FETCH of UID {}", uid));
      if (progress) progress(i + 1, uids.size());
      continue;  // removed by another client since the search: nothing to read
    }
    const Report report = parser.parse(raw);
    const std::string identity = fmt::format("imap:{}:{}", validity, uid);
    if (keep(db, key, identity, raw, report, now, options, summary))
      ++summary.fetched;
    else
      ++summary.already;
    processed.push_back(uid);
    if (processed.size() - flagged == kFlagBatch) flag(processed.size());
    if (progress) progress(i + 1, uids.size());
  }
  flag(processed.size());
  if (options.expunge && !processed.empty()) {
    if (MailboxResult r = mailbox.expunge(processed); !r) fail(r, "EXPUNGE");
    summary.expunged = processed.size();
  }
  return summary;
}

}  // namespace mailer::bounces
