// What a message reports, decided from its parts: a delivery-status part first (RFC 3464),
// then the free text of the MTAs that send none; feedback reports and auto-replies are no
// bounces.
#include "mailer/bounces/assemble.hpp"

#include "ascii.hpp"

#include <algorithm>
#include <cctype>

#include "mailer/bounces/delivery_status.hpp"
#include "mailer/bounces/free_text.hpp"
#include "mailer/bounces/report.hpp"

namespace mailer::bounces {
namespace {

using ascii::lower;

bool contains_any(const std::string& haystack, std::initializer_list<std::string_view> needles) {
  return std::any_of(needles.begin(), needles.end(),
                     [&](std::string_view n) { return haystack.find(n) != std::string::npos; });
}

std::string field_value(const std::string& headers, std::string_view name) {
  for (const Field& f : parse_fields(headers))
    if (f.name == name) return f.value;
  return {};
}

std::string message_id(const std::string& headers) {
  std::string id = field_value(headers, "message-id");
  std::size_t open = id.find('<'), close = id.find('>');
  if (open != std::string::npos && close != std::string::npos && close > open)
    id = id.substr(open + 1, close - open - 1);
  return id;
}

// The daemons that send bounces, and the subjects they give them.
bool looks_like_bounce(const MessageParts& p) {
  const std::string from = lower(p.from), subject = lower(p.subject);
  if (contains_any(from, {"mailer-daemon", "postmaster", "mail delivery", "mail-daemon", "maildelivery"}))
    return true;
  return contains_any(
      subject, {"undeliver", "undelivered", "delivery status", "delivery failure", "failure notice",
                "returned mail", "delivery failed", "mail delivery", "could not be delivered",
                "delivery notification", "non remis", "nicht zustellbar", "недоставлен", "не доставлено",
                "returned to sender", "rejected", "delivery has failed"});
}

std::string why_auto_reply(const MessageParts& p) {
  const std::string subject = lower(p.subject), auto_submitted = lower(p.auto_submitted);
  const std::string precedence = lower(p.precedence);
  if (p.autoreply_header) return "an auto-reply (X-Autoreply)";
  if (contains_any(subject, {"out of office", "out of the office", "automatic reply", "auto reply",
                             "autoreply", "auto-reply", "auto:", "vacation", "abwesenheit", "автоответ",
                             "absence", "away from", "on holiday", "on leave"}))
    return "an auto-reply (out-of-office subject)";
  if (precedence == "auto_reply") return "an auto-reply (Precedence: auto_reply)";
  if (auto_submitted.starts_with("auto-replied")) return "an auto-reply (Auto-Submitted: auto-replied)";
  return {};
}

Failure failure_of(std::string recipient, std::string status, std::string diagnostic,
                   std::string remote_mta) {
  Failure f;
  f.recipient = lower(recipient);
  f.status = status_or_reply(status, diagnostic);
  f.diagnostic = std::move(diagnostic);
  f.remote_mta = std::move(remote_mta);
  f.reason = classify(f.status, f.diagnostic);
  f.severity = severity_of(f.reason, f.status);
  return f;
}

void add_free_text_words(std::vector<Failure>& failures, const std::vector<TextFailure>& text) {
  for (Failure& f : failures) {
    if (!f.diagnostic.empty()) continue;
    for (const TextFailure& t : text)
      if (t.recipient == f.recipient && !t.diagnostic.empty()) {
        f.diagnostic = t.diagnostic;
        f.reason = classify(f.status, f.diagnostic);
        f.severity = severity_of(f.reason, f.status);
      }
  }
}

Report complaint(const MessageParts& p) {
  Report r;
  r.kind = Kind::complaint;
  r.original_message_id = message_id(p.original_headers);
  std::string who, type = "abuse";
  for (const Field& f : parse_fields(p.feedback_report)) {
    if (f.name == "original-rcpt-to" && who.empty()) who = f.value;
    if (f.name == "feedback-type") type = lower(f.value);
  }
  if (who.empty()) who = field_value(p.original_headers, "to");
  std::size_t open = who.find('<'), close = who.find('>');
  if (open != std::string::npos && close != std::string::npos && close > open)
    who = who.substr(open + 1, close - open - 1);
  Failure f;
  f.recipient = lower(who);
  f.reason = Reason::complaint;
  f.diagnostic = "feedback report: " + type;
  if (!f.recipient.empty()) r.failures.push_back(std::move(f));
  return r;
}

}  // namespace

Report assemble(const MessageParts& p) {
  Report r;
  if (!p.is_message) {
    r.why = "no message headers";
    return r;
  }
  if (p.report_type == "feedback-report" || !p.feedback_report.empty()) return complaint(p);
  r.original_message_id = message_id(p.original_headers);
  const std::vector<TextFailure> text = parse_free_text(p.text);
  // Delivery-status fields: in their own part, or pasted into the text.
  std::vector<std::string> statuses = p.delivery_status;
  if (statuses.empty() && ascii::contains(p.text, "final-recipient:")) statuses.push_back(p.text);
  bool delayed_only = true, any_dsn = false;
  for (const std::string& body : statuses) {
    for (DsnRecipient& d : parse_delivery_status(body).recipients) {
      any_dsn = true;
      if (d.action == "delivered" || d.action == "relayed" || d.action == "expanded") continue;
      if (!d.status.empty() && d.status.front() == '2') continue;  // a success, whatever the Action
      if (d.action != "delayed") delayed_only = false;
      r.failures.push_back(failure_of(d.final_recipient, d.status, d.diagnostic, d.remote_mta));
      // A delay that names no cause: the message is ageing in a queue.
      if (d.action == "delayed" && r.failures.back().reason == Reason::undefined)
        r.failures.back().reason = Reason::expired;
    }
  }
  if (!r.failures.empty()) {
    add_free_text_words(r.failures, text);
    r.kind = delayed_only ? Kind::delayed : Kind::bounce;
    return r;
  }
  if (any_dsn) {
    r.why = "a delivery report: every recipient was delivered";
    return r;
  }
  const bool bounce_like = looks_like_bounce(p);
  if (!bounce_like) {
    std::string why = why_auto_reply(p);
    if (!why.empty()) {
      r.kind = Kind::auto_reply;
      r.why = std::move(why);
      return r;
    }
  }
  if (bounce_like || p.return_path == "<>") {
    for (const TextFailure& t : text)
      r.failures.push_back(failure_of(t.recipient, t.status, t.diagnostic, {}));
  }
  if (!r.failures.empty()) {
    r.kind = std::all_of(r.failures.begin(), r.failures.end(),
                         [](const Failure& f) { return !f.status.empty() && f.status.front() == '4'; })
                 ? Kind::delayed
                 : Kind::bounce;
    return r;
  }
  r.why = bounce_like ? "a failure notice that names no recipient"
                      : "no delivery-status report and no failure text";
  return r;
}

}  // namespace mailer::bounces
