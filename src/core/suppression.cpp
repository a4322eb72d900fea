// Bounces become events and suppressions (see suppression.hpp for the rule).
#include "mailer/core/suppression.hpp"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mailer/base/error.hpp"

namespace mailer {
namespace {

// The diagnostic as one line of at most this many bytes (a multi-line reply, a long report).
constexpr std::size_t kMaxDiagnostic = 1000;

std::string one_line(std::string_view text) {
  std::string out;
  out.reserve(std::min(text.size(), kMaxDiagnostic));
  for (char c : text) {
    if (out.size() >= kMaxDiagnostic) break;
    bool blank = c == '\r' || c == '\n' || c == '\t';
    if (blank && (out.empty() || out.back() == ' ')) continue;
    out.push_back(blank ? ' ' : c);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// What one recorded bounce event says, as far as the rule needs it.
struct Recorded {
  bool soft = true;
  std::string reason;
};

Recorded read_detail(const std::string& detail) {
  Recorded r;
  auto json = nlohmann::json::parse(detail, nullptr, false);
  if (!json.is_object()) return r;  // a detail written by hand: a bounce of unknown severity, soft
  if (auto it = json.find("severity"); it != json.end() && it->is_string()) r.soft = *it != "hard";
  if (auto it = json.find("reason"); it != json.end() && it->is_string()) r.reason = *it;
  return r;
}

// The client's soft bounces in a row, newest first, each attempt's reason; see the header.
std::vector<std::string> soft_streak(store::Database& db, Id client, std::optional<Time> since,
                                     int soft_limit) {
  // Room for attempts that neither count nor end the count (bounced before events existed).
  const int look_at = 2 * soft_limit + 16;
  std::vector<std::string> reasons;
  for (const DeliveryOutcome& o : db.bounces().recent_outcomes(client, since, look_at)) {
    if (o.bounce_details.empty()) {
      if (o.status == "sent") break;  // a delivery
      continue;                       // bounced, nothing recorded: neither
    }
    std::optional<std::string> soft_reason;
    bool hard = false;
    for (const std::string& d : o.bounce_details) {
      Recorded r = read_detail(d);
      if (!r.soft) hard = true;
      if (r.soft && !soft_reason) soft_reason = r.reason.empty() ? "undefined" : r.reason;
    }
    if (hard) break;
    reasons.push_back(*soft_reason);
  }
  return reasons;
}

// "soft bounces: mailboxfull ×2, blocked ×1": the reasons of the streak, the most frequent first.
std::string streak_words(const std::vector<std::string>& reasons) {
  std::map<std::string, int> counts;
  for (const auto& r : reasons) ++counts[r];
  std::vector<std::pair<std::string, int>> sorted(counts.begin(), counts.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string out = "soft bounces:";
  for (std::size_t i = 0; i < sorted.size(); ++i)
    out += fmt::format("{} {} ×{}", i ? "," : "", sorted[i].first, sorted[i].second);
  return out;
}

}  // namespace

BounceVerdict verdict_of_reply(int code, std::string_view reply) {
  BounceVerdict v;
  v.source = "smtp";
  v.report_key = "smtp";
  v.diagnostic = one_line(reply);
  v.status = bounce::find_status(reply);
  if (v.status.empty() && code >= 200 && code < 600)
    v.status = std::string(1, static_cast<char>('0' + code / 100)) + ".0.0";
  v.reason = bounce::classify(v.status, v.diagnostic);
  v.severity = bounce::severity_of(v.reason, v.status);
  return v;
}

std::string bounce_detail(const BounceVerdict& v) {
  nlohmann::json j = {{"reason", bounce::reason_name(v.reason)},
                      {"status", v.status},
                      {"severity", bounce::severity_name(v.severity)},
                      {"diagnostic", one_line(v.diagnostic)},
                      {"source", v.source}};
  // A server's words need not be UTF-8: bytes that are not are replaced, never an error.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

BounceOutcome apply_bounce(store::Database& db, Id attempt, const BounceVerdict& v, Time at, int soft_limit) {
  store::BounceStore& bounces = db.bounces();
  auto target = bounces.bounce_target(attempt);
  if (!target) throw Error(Errc::not_found, fmt::format("attempt {} not found", attempt));
  const bool complaint = v.reason == bounce::Reason::complaint;
  NewBounceEvent event{attempt, target->run,      target->client, complaint ? "complaint" : "bounce",
                       at,      bounce_detail(v), v.report_key};
  BounceOutcome out;
  out.recorded = bounces.add_bounce_event(event);
  if (!out.recorded || complaint) return out;
  std::string reason;
  if (v.severity == bounce::Severity::hard) {
    bounces.mark_attempt_bounced(attempt);
    reason = bounce::reason_name(v.reason);
  } else if (target->client) {
    auto streak = soft_streak(db, *target->client, target->unsuppressed_at, soft_limit);
    out.soft_in_a_row = static_cast<int>(streak.size());
    if (out.soft_in_a_row >= soft_limit) reason = streak_words(streak);
  }
  if (!reason.empty() && target->client && !target->suppressed &&
      db.clients().suppress_client(*target->client, at, reason)) {
    out.suppressed = true;
    out.suppressed_reason = reason;
  }
  return out;
}

BounceOutcome record_bounce(store::Database& db, Id attempt, const BounceVerdict& v, Time at,
                            int soft_limit) {
  store::Transaction tx(db);
  BounceOutcome out = apply_bounce(db, attempt, v, at, soft_limit);
  tx.commit();
  return out;
}

}  // namespace mailer
