// The meaning of an SMTP reply for one recipient (SPEC §3).
#include "mailer/core/delivery_policy.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace mailer::policy {
namespace {

// The RFC 3463 enhanced status code that follows the reply code ("550 5.1.1 ..."), as
// {class, subject, detail}; {0, 0, 0} when there is none.
std::array<int, 3> enhanced_status(std::string_view text) {
  std::array<int, 3> out{0, 0, 0};
  if (text.size() < 5) return out;
  std::size_t i = 4;  // after "550 " or "550-"
  for (int part = 0; part < 3; ++part) {
    std::size_t start = i;
    int value = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && i - start < 3)
      value = value * 10 + (text[i++] - '0');
    if (i == start) return {0, 0, 0};
    out[static_cast<std::size_t>(part)] = value;
    if (part < 2) {
      if (i >= text.size() || text[i] != '.') return {0, 0, 0};
      ++i;
    }
  }
  if (out[0] != 2 && out[0] != 4 && out[0] != 5) return {0, 0, 0};
  return out;
}

bool mentions(std::string_view text, std::string_view lower_words) {
  std::string lowered(text);
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lowered.find(lower_words) != std::string::npos;
}

// A 5xx to the message data that our message caused rather than the recipient: the server
// could not parse it (5.5.x, 500-503) or it is too big (5.3.4, 5.2.3, "line too long").
// Bouncing the recipient for it would drop the whole list for good over a fault of ours.
bool about_our_message(int code, std::string_view text) {
  const auto [klass, subject, detail] = enhanced_status(text);
  if (klass == 5) {
    if (subject == 5 || subject == 6) return true;                   // protocol or media errors
    if (subject == 3 && detail == 4) return true;                    // message too big for the system
    if (subject == 2 && detail == 3) return true;                    // message length exceeds a limit
    if (subject == 1 || subject == 2 || subject == 7) return false;  // address, mailbox, policy
  }
  if (code >= 500 && code <= 503) return true;
  return mentions(text, "line too long") || mentions(text, "too large") || mentions(text, "too big") ||
         mentions(text, "size limit") || mentions(text, "exceeds");
}

}  // namespace

Verdict judge(const ReplyFacts& r) {
  if (r.failure == Failure::none && r.code >= 200 && r.code < 300) return Verdict::sent;
  // RFC 5321 §4.2.3: 421 closes the channel (overloaded, shutting down): about the session.
  if (r.code == 421) return Verdict::session_refused;
  if (r.failure == Failure::no_connection || r.failure == Failure::tls) return Verdict::session_refused;
  switch (r.stage) {
    case Stage::connect:
    case Stage::session:
    case Stage::mail_from:
      // The greeting, EHLO, STARTTLS, AUTH or MAIL FROM: a wrong password, a refused sender,
      // a provider's "451 Too many messages": nothing about this recipient.
      return Verdict::session_refused;
    case Stage::rcpt:
    case Stage::data:
      if (r.failure != Failure::none) return Verdict::deferred;
      return r.code >= 500 ? Verdict::bounced : Verdict::deferred;
    case Stage::body:
      // Cut during or after the data: the message may have arrived; retried like a 4xx.
      if (r.failure != Failure::none) return Verdict::deferred;
      if (r.code >= 500)
        return about_our_message(r.code, r.text) ? Verdict::message_refused : Verdict::bounced;
      return Verdict::deferred;
  }
  return Verdict::deferred;
}

Time retry_delay(int tries) {
  Time delay = 60;
  for (int i = 1; i < tries && delay < 6 * 3600; ++i) delay *= 4;
  return std::min<Time>(delay, 6 * 3600);
}

TryResult after_try(Verdict verdict, int tries_after, int max_tries) {
  switch (verdict) {
    case Verdict::sent:
      return TryResult::sent;
    case Verdict::bounced:
      return TryResult::bounced;
    default:
      return tries_after >= max_tries ? TryResult::failed : TryResult::deferred;
  }
}

}  // namespace mailer::policy
