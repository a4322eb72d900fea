#pragma once
// The delivery journal: an append-only file per run in which each finished delivery is
// written (one write() per group of results) before its connection takes the next recipient.
// A write() reaches the kernel's page cache, so it survives a killed process exactly like a
// SQLite WAL commit under synchronous=NORMAL, for a fraction of the cost. Records are folded
// into the attempt table in batches; a sender that takes over a run after a crash folds what
// the dead one left first. Folding is idempotent: a record applies only while its recipient's
// `tries` still equals the record's `tries_before`.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mailer/base/time.hpp"
#include "mailer/base/unique_fd.hpp"

namespace mailer {

struct JournalRecord {
  std::int64_t client = 0;
  int tries_before = 0;  // the recipient's tries when this delivery was handed out
  Time at = 0;
  std::string status;  // attempt status: sent, bounced, deferred, failed
  std::string state;   // run_recipient state after it: done or deferred; or queued:
                       // not a try of the recipient's (a session refusal): deferred
                       // until retry_at with its tries as they were
  std::optional<Time> retry_at;
  std::optional<int> smtp_code;
  std::string email;
  std::string message_id;
  std::string response;  // the server's reply verbatim (may hold newlines)

  bool operator==(const JournalRecord&) const = default;
};

// One line, '\n'-terminated; tabs, newlines and backslashes inside fields are escaped.
void append_journal_record(const JournalRecord& record, std::string& out);

// The complete, well-formed records of a journal's text. A torn last line (the process died
// inside its write), malformed lines and lines with an unknown status or state are skipped:
// their recipients were in flight, or the line is not ours.
std::vector<JournalRecord> parse_journal(std::string_view text);

// The journal file of one run. Not thread-safe: the caller serialises appends.
class DeliveryJournal {
 public:
  // Creates the file at `path` exclusively (O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600): never
  // through a symlink, never into a file someone prepared. A file already there is removed
  // first; the caller has folded it (read_trusted) if it was a dead sender's.
  explicit DeliveryJournal(std::string path);
  ~DeliveryJournal();
  DeliveryJournal(const DeliveryJournal&) = delete;
  DeliveryJournal& operator=(const DeliveryJournal&) = delete;

  // Writes the records with one write(); throws Error{internal} when the disk refuses.
  void append(std::span<const JournalRecord> records);
  // Empties the file once everything in it is folded into the database.
  void clear();
  // Deletes the file (the run's results are all in the database).
  void remove();
  const std::string& path() const { return path_; }

  // What a journal at `path` holds, read only when the file is what a sender of ours leaves:
  // a regular file (not a symlink), owned by this user, mode 0600, one link. Otherwise nothing
  // is read and `problem` says why (a forged or foreign file must not write the attempt log).
  // No file: no records and no problem.
  static std::vector<JournalRecord> read_trusted(const std::string& path, std::string& problem);
  // read_trusted() for callers that only need the records (an untrusted file reads as none).
  static std::vector<JournalRecord> read(const std::string& path);
  // Deletes the journal at `path`, if there is one.
  static void remove(const std::string& path);

 private:
  std::string path_;
  std::string buffer_;
  UniqueFd fd_;
};

}  // namespace mailer
