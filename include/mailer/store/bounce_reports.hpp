#pragma once
// The repository of bounce reports (SPEC §2 bounces): every report `bounces fetch` read, with
// its raw bytes, and the attempts its recipients were matched to.
#include <optional>
#include <string>
#include <vector>

#include "mailer/base/ids.hpp"
#include "mailer/base/records/bounce_reports.hpp"

namespace mailer::store {

// Which rows `list` gives: `owner` set: only those matched to attempts of that owner's
// mailings; `unmatched`: only recipients matched to no attempt.
struct BounceReportQuery {
  std::optional<Id> owner;
  bool unmatched = false;
};

class BounceReportStore {
 public:
  virtual ~BounceReportStore() = default;

  // Whether a report of this identity, or (when message_id is not empty) of this Message-ID,
  // is already kept.
  virtual bool known(const std::string& identity, const std::string& message_id) = 0;
  // Keeps the report and its recipients; its id, or none when its identity is already kept
  // (the unique constraint decides, so two runs at once keep it once).
  virtual std::optional<Id> add(const NewBounceReport& report) = 0;

  // The latest attempt to this client in this run (a VERP return path names both).
  virtual std::optional<BouncedAttempt> attempt_in_run(Id run, Id client) = 0;
  // The attempt that sent the message of this Message-ID (with or without angle brackets).
  virtual std::optional<BouncedAttempt> attempt_by_message_id(const std::string& message_id) = 0;
  // The latest attempt to a client of address `email` (compared as client addresses are, by
  // email_key) at or after `since`, of any owner. Attempts of deleted clients are not found.
  virtual std::optional<BouncedAttempt> latest_attempt_to(const std::string& email, Time since) = 0;

  // Newest first.
  virtual std::vector<BounceReportRow> list(const BounceReportQuery& query) = 0;
  virtual std::optional<BounceReport> report(Id id) = 0;
  // The owners of the attempts a report's recipients were matched to.
  virtual std::vector<Id> owners(Id report) = 0;
};

}  // namespace mailer::store
