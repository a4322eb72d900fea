#pragma once
// SQLite's repository of bounce reports.
#include "mailer/store/bounce_reports.hpp"
#include "mailer/store/sqlite/db.hpp"

namespace mailer::store::sqlite {

class SqliteBounceReportStore final : public BounceReportStore {
 public:
  explicit SqliteBounceReportStore(Db& db) : db_(db) {}

  bool known(const std::string& identity, const std::string& message_id) override;
  std::optional<Id> add(const NewBounceReport& report) override;
  std::optional<BouncedAttempt> attempt_in_run(Id run, Id client) override;
  std::optional<BouncedAttempt> attempt_by_message_id(const std::string& message_id) override;
  std::optional<BouncedAttempt> latest_attempt_to(const std::string& email, Time since) override;
  std::vector<BounceReportRow> list(const BounceReportQuery& query) override;
  std::optional<BounceReport> report(Id id) override;
  std::vector<Id> owners(Id report) override;

 private:
  Db& db_;
};

}  // namespace mailer::store::sqlite
