#pragma once
// The SQL drivers' repository of bounce reports.
#include "mailer/store/bounce_reports.hpp"
#include "mailer/store/sql/connection.hpp"

namespace mailer::store::sql {

class SqlBounceReportStore final : public BounceReportStore {
 public:
  explicit SqlBounceReportStore(SqlConnection& db) : db_(db) {}

  bool known(const std::string& identity, const std::string& message_id) override;
  std::optional<Id> add(const NewBounceReport& report) override;
  std::optional<BouncedAttempt> attempt_in_run(Id run, Id client) override;
  std::optional<BouncedAttempt> attempt_by_message_id(const std::string& message_id) override;
  std::optional<BouncedAttempt> latest_attempt_to(const std::string& email, Time since) override;
  std::vector<BounceReportRow> list(const BounceReportQuery& query) override;
  std::optional<BounceReport> report(Id id) override;
  std::vector<Id> owners(Id report) override;

 private:
  SqlConnection& db_;
};

}  // namespace mailer::store::sql
