#pragma once
// The IMAP mailbox of bounce reports as `mailer bounces fetch` sees it (SPEC §2, §5 [imap]).
// Its implementation (on libcurl's IMAP, linked into the module) lives in mailer-bounces.so
// beside the parser: only `mailer bounces` loads it. No exception crosses the module's edge:
// each call says how it went in a MailboxResult.
#include <cstdint>
#include <string>
#include <vector>

namespace mailer::bounces {

struct MailboxSettings {
  std::string url;  // imap://host[:port]/FOLDER or imaps://...
  std::string username;
  std::string password;
  long timeout_s = 30;
};

enum class MailboxFailure {
  none,
  unavailable,  // no connection, no answer, the host unknown
  tls,          // TLS could not be set up (or STARTTLS is not offered to a remote host)
  login,        // the server refused the login
  protocol,     // the server refused a command or answered what we cannot read
  gone,         // no message of that UID (another client expunged it meanwhile)
};

struct MailboxResult {
  MailboxFailure failure = MailboxFailure::none;
  std::string message;  // what went wrong, for humans (the server's words when it gave any)
  explicit operator bool() const { return failure == MailboxFailure::none; }
};

// The keyword a processed message gets.
inline constexpr const char kProcessedKeyword[] = "$MailerProcessed";

class Mailbox {
 public:
  virtual ~Mailbox() = default;
  // The folder's UIDVALIDITY (STATUS): with a UID, a message's identity across sessions.
  virtual MailboxResult uidvalidity(std::uint64_t& out) = 0;
  // The UIDs of the messages without the processed keyword, ascending.
  virtual MailboxResult unprocessed(std::vector<std::uint64_t>& out) = 0;
  // One message's bytes (BODY[]), replacing `out`'s contents.
  virtual MailboxResult fetch(std::uint64_t uid, std::string& out) = 0;
  // Adds the processed keyword to these messages; with `deleted`, \Deleted too.
  virtual MailboxResult mark_processed(const std::vector<std::uint64_t>& uids, bool deleted) = 0;
  // Removes the messages of these UIDs that are flagged \Deleted (UID EXPUNGE), no others.
  virtual MailboxResult expunge(const std::vector<std::uint64_t>& uids) = 0;
};

// The module's entry point for the mailbox, under this name: a new mailbox (no connection is
// made before the first call), which the caller deletes.
using OpenMailbox = Mailbox* (*)(const MailboxSettings&);
inline constexpr const char kOpenMailboxSymbol[] = "mailer_bounces_open_mailbox";

}  // namespace mailer::bounces
