// The conversation as libcurl 7.88 shows it: it does not expose the server's reply text, so
// its debug callback gives the commands sent and the reply lines received, and the last reply
// is kept with the command it answered.
#include "mailer/mail/smtp_reply.hpp"

#include <algorithm>

namespace mailer::mail {
namespace {

const char* command_words(SmtpCommand command, bool data_all_read) {
  switch (command) {
    case SmtpCommand::session:
      return "before the mail transaction";
    case SmtpCommand::mail:
      return "after MAIL FROM";
    case SmtpCommand::rcpt:
      return "after RCPT TO";
    case SmtpCommand::data:
      return "after DATA";
    case SmtpCommand::body:
      return data_all_read ? "after the message data" : "during the message data";
    case SmtpCommand::quit:
      return "after QUIT";
  }
  return "";
}

policy::Stage policy_stage(SmtpCommand command) {
  switch (command) {
    case SmtpCommand::session:
    case SmtpCommand::quit:
      return policy::Stage::session;
    case SmtpCommand::mail:
      return policy::Stage::mail_from;
    case SmtpCommand::rcpt:
      return policy::Stage::rcpt;
    case SmtpCommand::data:
      return policy::Stage::data;
    case SmtpCommand::body:
      return policy::Stage::body;
  }
  return policy::Stage::session;
}

void apply_verdict(Delivery& d) {
  d.verdict = policy::judge(policy::ReplyFacts{d.smtp_code, d.response, d.stage, d.failure});
  d.outcome = d.verdict == policy::Verdict::sent      ? Outcome::sent
              : d.verdict == policy::Verdict::bounced ? Outcome::bounced
                                                      : Outcome::deferred;
  d.session_refused = policy::stops_run(d.verdict);
}

}  // namespace

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != prefix[i]) return false;
  }
  return true;
}

void ReplyTracker::reset() {
  command_ = SmtpCommand::session;
  partial_.clear();
  building_.clear();
  last_code_ = 0;
  last_command_ = SmtpCommand::session;
  last_text_.clear();
  heard_ = false;
  out_midline_ = false;
}

void ReplyTracker::on_command(std::string_view line) {
  // The rest of a command that went out in pieces is not a command of its own.
  const bool continuation = out_midline_;
  out_midline_ = line.empty() || line.back() != '\n';
  if (continuation) return;
  // After a 334 challenge the next line is a SASL answer (base64 credentials) that could
  // happen to start with "DATA"; it is never looked at further either.
  if (last_code_ == 334 && command_ == SmtpCommand::session) return;
  if (starts_with_nocase(line, "MAIL"))
    command_ = SmtpCommand::mail;
  else if (starts_with_nocase(line, "RCPT"))
    command_ = SmtpCommand::rcpt;
  else if (starts_with_nocase(line, "DATA"))
    command_ = SmtpCommand::data;
  else if (starts_with_nocase(line, "QUIT"))
    command_ = SmtpCommand::quit;
  else
    command_ = SmtpCommand::session;
}

void ReplyTracker::on_reply_bytes(std::string_view bytes) {
  heard_ = true;
  while (!bytes.empty()) {
    const auto nl = bytes.find('\n');
    if (nl == std::string_view::npos) {
      partial_.append(bytes);
      return;
    }
    std::string_view line = bytes.substr(0, nl);
    bytes.remove_prefix(nl + 1);
    if (!partial_.empty()) {
      partial_.append(line);
      on_line(partial_);
      partial_.clear();
    } else {
      on_line(line);
    }
  }
}

void ReplyTracker::on_line(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (!building_.empty()) building_ += '\n';
  building_.append(line);
  const bool more = line.size() > 3 && line[3] == '-';
  if (more) return;
  // Replies to QUIT come from libcurl closing the connection after the outcome is known.
  if (command_ != SmtpCommand::quit) {
    int code = 0;
    if (line.size() >= 3 &&
        std::all_of(line.begin(), line.begin() + 3, [](char c) { return c >= '0' && c <= '9'; }))
      code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    last_code_ = code;
    last_command_ = command_;
    last_text_.swap(building_);  // swap, not copy: both keep their capacity
    if (command_ == SmtpCommand::data && code == 354) command_ = SmtpCommand::body;
  }
  building_.clear();
}

Delivery classify_transfer(std::int64_t id, const ReplyTracker& tracker, TransferEnd end, bool data_all_read,
                           std::string_view error) {
  Delivery d;
  d.id = id;
  d.connected = tracker.heard();
  const int code = tracker.last_code();
  const bool replied = end == TransferEnd::ok || code >= 400;
  d.smtp_code = replied ? code : 0;
  d.stage = policy_stage(replied ? tracker.last_command() : tracker.command());
  if (!tracker.heard()) d.stage = policy::Stage::connect;
  if (replied) {
    d.response = tracker.last_text();
  } else {
    std::string what;
    switch (end) {
      case TransferEnd::no_connection:
        what = "could not connect";
        d.failure = policy::Failure::no_connection;
        break;
      case TransferEnd::unresolved:
        what = "could not resolve the host";
        d.failure = policy::Failure::no_connection;
        break;
      case TransferEnd::tls:
        what = "TLS failed";
        d.failure = policy::Failure::tls;
        break;
      case TransferEnd::timeout:
        what = std::string("timed out ") + command_words(tracker.command(), data_all_read);
        d.failure = policy::Failure::timeout;
        break;
      case TransferEnd::ok:
      case TransferEnd::other:
        if (!tracker.heard())
          what = "no reply from the server";
        else
          what = std::string("connection lost ") + command_words(tracker.command(), data_all_read);
        d.failure = tracker.heard() ? policy::Failure::connection_lost : policy::Failure::no_connection;
    }
    d.response = what + ": " + std::string(error);
  }
  apply_verdict(d);
  return d;
}

bool wire_safe_address(std::string_view rcpt) {
  return !rcpt.empty() && rcpt.find_first_of("\r\n<>") == std::string_view::npos;
}

Delivery invalid_recipient(std::int64_t id) {
  Delivery d;
  d.id = id;
  d.outcome = Outcome::bounced;
  d.verdict = policy::Verdict::bounced;
  d.stage = policy::Stage::rcpt;
  d.response = "invalid recipient address";
  return d;
}

}  // namespace mailer::mail
