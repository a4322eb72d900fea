// Reasons from words first, then from RFC 3463 status codes (the table follows RFC 3463 and
// sisimai's choices for its codes); hard or soft from the reason; their names as stored.
#include "mailer/core/bounce_reason.hpp"

#include <cctype>
#include <initializer_list>
#include <utility>

namespace mailer::bounce {
namespace {

// ASCII only: reports are matched on ASCII words, and the C library's tolower() (locale-aware,
// one call a byte) was a tenth of the parse time.
std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

constexpr std::pair<Reason, const char*> kNames[] = {
    {Reason::undefined, "undefined"},
    {Reason::userunknown, "userunknown"},
    {Reason::hostunknown, "hostunknown"},
    {Reason::hasmoved, "hasmoved"},
    {Reason::mailboxfull, "mailboxfull"},
    {Reason::suspend, "suspend"},
    {Reason::mesgtoobig, "mesgtoobig"},
    {Reason::exceedlimit, "exceedlimit"},
    {Reason::blocked, "blocked"},
    {Reason::spamdetected, "spamdetected"},
    {Reason::virusdetected, "virusdetected"},
    {Reason::policyviolation, "policyviolation"},
    {Reason::securityerror, "securityerror"},
    {Reason::rejected, "rejected"},
    {Reason::norelaying, "norelaying"},
    {Reason::filtered, "filtered"},
    {Reason::expired, "expired"},
    {Reason::networkerror, "networkerror"},
    {Reason::toomanyconn, "toomanyconn"},
    {Reason::systemerror, "systemerror"},
    {Reason::systemfull, "systemfull"},
    {Reason::mailererror, "mailererror"},
    {Reason::syntaxerror, "syntaxerror"},
    {Reason::onhold, "onhold"},
    {Reason::requireptr, "requireptr"},
    {Reason::authfailure, "authfailure"},
    {Reason::notaccept, "notaccept"},
    {Reason::contenterror, "contenterror"},
    {Reason::notcompliantrfc, "notcompliantrfc"},
    {Reason::badreputation, "badreputation"},
    {Reason::complaint, "complaint"},
};

struct Phrases {
  Reason reason;
  std::initializer_list<std::string_view> words;  // any one of them, in the lower-case text
};

// In order: the first reason whose phrase occurs wins, so the narrower ones come first
// ("mailbox full" before "mailbox unavailable", "sender address rejected" before "rejected").
const Phrases kPhrases[] = {
    {Reason::mailboxfull,
     {"mailbox full",    "mailbox is full",    "mailbox is over",      "over quota",
      "over the quota",  "overquota",          "quota exceeded",       "exceeded storage",
      "exceeds storage", "mailbox size limit", "user is over",         "disk quota",
      "mail quota",      "quota exceed",       "too many messages in", "mailfolder is full",
      "out of storage",  "inbox is full",      "insufficient space",   "mailbox exceeds"}},
    {Reason::mesgtoobig,
     {"message too large", "message too big", "message is too large", "message is too big",
      "message size exceeds", "exceeds maximum message size", "size exceeds", "message length exceeds",
      "exceeded the size", "message file too big", "message size limit"}},
    {Reason::hasmoved, {"has moved", "address has changed", "no longer accepts mail at this address"}},
    {Reason::notaccept,
     {"no smtp service", "couldn't find a mail exchanger", "no mx found", "does not accept mail",
      "accepts no mail", "not accepting mail", "null mx", "no mail accepted"}},
    {Reason::norelaying,
     {"not configured to relay", "relay access denied", "relaying denied", "not permitted to relay",
      "relay not permitted", "we do not relay", "unable to relay", "relaying not allowed",
      "not allowed to relay", "no relaying"}},
    {Reason::requireptr,
     {"ip name lookup failed", "name lookup failed", "reverse dns", "ptr record", "no ptr", "reverse lookup",
      "cannot find your hostname", "cannot find your reverse hostname", "rdns", "reverse dns entry",
      "hostname lookup failed", "client host rejected: cannot find", "not have a ptr", "ptr lookup",
      "no reverse"}},
    {Reason::authfailure, {"authentication checks", "spf", "dkim", "dmarc", "sender policy framework"}},
    {Reason::rejected,
     {"unroutable sender", "sender was rejected", "sender address rejected", "sender rejected",
      "domain of sender address", "sender verify failed", "sender domain", "envelope sender", "sender is not",
      "invalid sender", "mail from rejected", "bad sender", "sender address is"}},
    {Reason::securityerror,
     {"starttls", "tls required", "encryption required", "authentication required", "must issue a",
      "authentication failed", "access to mailbox denied"}},
    {Reason::virusdetected, {"virus", "malware", "infected"}},
    // Blocklists before spam: "listed by Spamhaus" is about our IP, not the message.
    {Reason::blocked,
     {"blacklist", "blocklist", "block list", "black list", "listed in", "listed at", "spamhaus", "dnsbl"}},
    {Reason::spamdetected,
     {"spam", "junk mail", "unsolicited", "bulk mail", "looks like", "content filter",
      "message content rejected"}},
    {Reason::suspend,
     {"account disabled", "mailbox disabled", "account has been disabled", "has been suspended",
      "account suspended", "mailbox is inactive", "account is inactive", "inactive account", "is locked",
      "is disabled", "mailbox unavailable or not local", "temporarily disabled", "not active",
      "account is not", "has been deactivated"}},
    {Reason::hostunknown,
     {"host unknown", "unknown host", "domain not found", "no such domain", "host not found",
      "domain does not exist", "unrouteable mail domain", "unrouteable address"}},
    {Reason::userunknown,
     {"user unknown",
      "unknown user",
      "no such user",
      "does not exist",
      "doesn't exist",
      "no mailbox",
      "mailbox not found",
      "invalid recipient",
      "unknown recipient",
      "user not found",
      "recipient not found",
      "no such recipient",
      "not a valid mailbox",
      "unknown local part",
      "invalid mailbox",
      "no such mailbox",
      "bad destination mailbox",
      "mailbox unavailable",
      "recipient address rejected",
      "address rejected",
      "no such person",
      "addressee unknown",
      "unknown address",
      "user doesn",
      "is not a known user",
      "not our customer",
      "recipient rejected",
      "not found in directory",
      "user invalid",
      "mailbox is unavailable",
      "no account",
      "invalid address",
      "address unknown",
      "recipient unknown",
      "user not exist",
      "mailbox does not",
      "no valid recipients",
      "not listed in",
      "unknown or illegal alias",
      "nonexistent",
      "non-existent user"}},
    {Reason::hostunknown,
     {"name or service not known", "nxdomain", "unknown domain", "domain name not found",
      "host or domain name not found", "mx records point to non-existent", "domain is not",
      "illegal host/domain", "unresolvable", "can't resolve", "name server"}},
    {Reason::badreputation, {"reputation", "poor reputation"}},
    {Reason::toomanyconn,
     {"too many connections", "rate limit", "too many messages", "throttl", "exceeded the rate",
      "too many concurrent", "connection limit", "too many recipients", "sending rate"}},
    {Reason::blocked,
     {"smtp server of your isp", "client host rejected", "my name was rejected", "blocked", "listed at",
      "rbl", "banned", "access denied", "not allowed to send", "your ip", "ip address",
      "refused to talk to me", "connection refused by"}},
    {Reason::policyviolation,
     {"header error", "protocol violation", "policy", "prohibited", "not authorized", "not permitted",
      "content violates"}},
    {Reason::filtered,
     {"filtered", "rejected by recipient", "refused by recipient", "rejected by the recipient"}},
    {Reason::systemfull,
     {"insufficient disk space", "insufficient system storage", "system is full", "disk full",
      "out of disk"}},
    {Reason::expired,
     {"connection timed out", "have been failing for a long time", "did not accept our requests to connect",
      "retry timeout exceeded", "delivery time expired", "message expired", "was not delivered after",
      "could not be delivered for", "retry time", "has been delayed", "giving up", "too long in",
      "time limit", "delivery expired", "expired"}},
    {Reason::networkerror,
     {"network error", "connection refused", "network is unreachable", "no route to host", "lost connection",
      "connection reset", "temporary lookup failure", "timed out", "conversation with", "could not connect",
      "unable to connect", "dns error", "mail loop", "too many hops", "loops back", "routing loop"}},
    {Reason::mailererror,
     {"command failed", "pipe to", "procmail", "exit code", "unknown mailer error", "mailer error",
      "delivery to file", "child process"}},
    {Reason::syntaxerror,
     {"not implemented", "syntax error", "command unrecognized", "command not recognized", "bad sequence"}},
    {Reason::systemerror,
     {"transaction failed", "system error", "internal error", "server configuration",
      "local configuration error", "temporary failure", "system config", "server error"}},
    {Reason::contenterror, {"8-bit", "content", "encoding", "8bit", "media"}},
    {Reason::notcompliantrfc,
     {"messages with multiple", "rfc 5322", "rfc5322", "rfc 2822", "rfc2822", "duplicate header", "bare lf"}},
};

struct Code {
  std::string_view status;  // "5.1.1", or a class-free "x.1.1" when the class does not matter
  Reason reason;
};

// RFC 3463's codes; the subject.detail is matched whatever the class, unless listed with one.
const Code kCodes[] = {
    {"5.1.0", Reason::userunknown},   {"x.1.1", Reason::userunknown},   {"x.1.2", Reason::hostunknown},
    {"x.1.3", Reason::userunknown},   {"x.1.4", Reason::filtered},      {"x.1.6", Reason::hasmoved},
    {"x.1.7", Reason::rejected},      {"x.1.8", Reason::rejected},      {"x.1.9", Reason::systemerror},
    {"x.1.10", Reason::notaccept},    {"5.2.0", Reason::filtered},      {"4.2.1", Reason::suspend},
    {"5.2.1", Reason::filtered},      {"x.2.2", Reason::mailboxfull},   {"x.2.3", Reason::exceedlimit},
    {"x.2.4", Reason::filtered},      {"5.3.0", Reason::systemerror},   {"x.3.1", Reason::systemfull},
    {"x.3.2", Reason::notaccept},     {"x.3.3", Reason::systemerror},   {"x.3.4", Reason::mesgtoobig},
    {"x.3.5", Reason::systemerror},   {"5.4.0", Reason::networkerror},  {"4.4.1", Reason::expired},
    {"5.4.1", Reason::networkerror},  {"x.4.2", Reason::networkerror},  {"x.4.3", Reason::systemerror},
    {"4.4.4", Reason::networkerror},  {"5.4.4", Reason::hostunknown},   {"x.4.5", Reason::systemfull},
    {"x.4.6", Reason::networkerror},  {"x.4.7", Reason::expired},       {"x.4.8", Reason::networkerror},
    {"x.5.2", Reason::syntaxerror},   {"x.5.3", Reason::toomanyconn},   {"x.5.4", Reason::systemerror},
    {"x.5.5", Reason::systemerror},   {"x.5.6", Reason::syntaxerror},   {"x.5.0", Reason::syntaxerror},
    {"x.6.0", Reason::contenterror},  {"x.6.1", Reason::contenterror},  {"x.6.2", Reason::contenterror},
    {"x.6.3", Reason::contenterror},  {"x.6.5", Reason::contenterror},  {"x.6.6", Reason::contenterror},
    {"x.7.0", Reason::securityerror}, {"4.7.1", Reason::blocked},       {"5.7.1", Reason::securityerror},
    {"x.7.2", Reason::securityerror}, {"x.7.3", Reason::securityerror}, {"x.7.4", Reason::securityerror},
    {"x.7.5", Reason::securityerror}, {"x.7.8", Reason::securityerror}, {"x.7.9", Reason::securityerror},
    {"x.7.13", Reason::suspend},      {"x.7.16", Reason::mesgtoobig},   {"x.7.17", Reason::hasmoved},
    {"x.7.18", Reason::hasmoved},     {"x.7.20", Reason::authfailure},  {"x.7.21", Reason::authfailure},
    {"x.7.22", Reason::authfailure},  {"x.7.23", Reason::authfailure},  {"x.7.24", Reason::authfailure},
    {"x.7.25", Reason::requireptr},   {"x.7.26", Reason::authfailure},  {"x.7.27", Reason::notaccept},
};

bool digit(char c) { return c >= '0' && c <= '9'; }

Reason from_status(std::string_view status) {
  if (status.size() < 5) return Reason::undefined;
  for (const Code& code : kCodes) {
    if (code.status.front() == 'x' ? status.substr(1) == code.status.substr(1) : status == code.status)
      return code.reason;
  }
  return Reason::undefined;
}

}  // namespace

const char* reason_name(Reason reason) {
  for (const auto& [r, name] : kNames)
    if (r == reason) return name;
  return "undefined";
}

Reason reason_from_name(std::string_view name) {
  for (const auto& [r, n] : kNames)
    if (name == n) return r;
  return Reason::undefined;
}

const char* severity_name(Severity severity) { return severity == Severity::hard ? "hard" : "soft"; }

Reason classify(std::string_view status, std::string_view diagnostic) {
  const std::string text = lower(diagnostic);
  for (const Phrases& p : kPhrases)
    for (std::string_view word : p.words)
      if (text.find(word) != std::string::npos) {
        // An unknown user at the end of DATA: the server took the address at RCPT, then a
        // filter refused the message (sisimai's reading too); the address may well be alive.
        if (p.reason == Reason::userunknown && (text.find("end of data") != std::string::npos ||
                                                text.find("in reply to data") != std::string::npos))
          return Reason::filtered;
        return p.reason;
      }
  return from_status(find_status(status));
}

Severity severity_of(Reason reason, std::string_view status) {
  bool address = reason == Reason::userunknown || reason == Reason::hostunknown || reason == Reason::hasmoved;
  bool temporary = !status.empty() && status.front() == '4';
  return address && !temporary ? Severity::hard : Severity::soft;
}

std::string find_status(std::string_view text) {
  for (std::size_t i = 0; i + 4 < text.size(); ++i) {
    char c = text[i];
    if ((c != '2' && c != '4' && c != '5') || text[i + 1] != '.') continue;
    if (i > 0 && (digit(text[i - 1]) || text[i - 1] == '.')) continue;
    std::size_t j = i + 2, start = j;
    while (j < text.size() && digit(text[j]) && j - start < 3) ++j;
    if (j == start || j >= text.size() || text[j] != '.') continue;
    std::size_t k = j + 1, detail = k;
    while (k < text.size() && digit(text[k]) && k - detail < 3) ++k;
    if (k == detail || (k < text.size() && (digit(text[k]) || text[k] == '.'))) continue;
    return std::string(text.substr(i, k - i));
  }
  return {};
}

int find_reply_code(std::string_view text) {
  for (std::size_t i = 0; i + 3 <= text.size(); ++i) {
    if (i > 0 && (std::isalnum(static_cast<unsigned char>(text[i - 1])) || text[i - 1] == '.')) continue;
    char c = text[i];
    if ((c != '4' && c != '5') || !digit(text[i + 1]) || !digit(text[i + 2])) continue;
    if (i + 3 < text.size() && (std::isalnum(static_cast<unsigned char>(text[i + 3])) || text[i + 3] == '.'))
      continue;
    return (c - '0') * 100 + (text[i + 1] - '0') * 10 + (text[i + 2] - '0');
  }
  return 0;
}

std::string status_or_reply(std::string_view status, std::string_view diagnostic) {
  std::string given = find_status(status);
  if (!given.empty()) return given;
  std::string said = find_status(diagnostic);
  if (!said.empty()) return said;
  int code = find_reply_code(diagnostic);
  if (code == 0) return {};
  return std::string(1, static_cast<char>('0' + code / 100)) + ".0.0";
}

}  // namespace mailer::bounce
