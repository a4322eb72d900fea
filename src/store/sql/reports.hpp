#pragma once
// The SQL drivers' repository of reports (read only).
#include <string>

#include "mailer/store/reports.hpp"
#include "mailer/store/sql/connection.hpp"

namespace mailer::store::sql {

class SqlReportStore final : public ReportStore {
 public:
  explicit SqlReportStore(SqlConnection& db) : db_(db) {}

  std::vector<MailingReport> mailing_totals(const ReportQuery& query) override;
  std::vector<RecipientReport> recipients(Id mailing) override;
  std::vector<LinkReport> links(const ReportQuery& query, std::size_t limit) override;
  std::optional<ActivitySpan> activity_span(const ReportQuery& query) override;
  std::vector<ActivityBucket> activity(const ReportQuery& query, std::span<const Time> boundaries) override;
  std::vector<BounceReason> bounce_reasons(const ReportQuery& query) override;
  std::vector<BounceEventReason> bounce_events(const ReportQuery& query, bool per_mailing) override;
  Stats stats(std::optional<Id> owner) override;

 private:
  SqlConnection& db_;
};

// The conditions on `run r JOIN mailing m` that pick the covered runs (test runs never), with
// parameters ?1 owner, ?2 mailing, ?3 since, ?4 until; bind_scope binds those it used.
std::string run_scope(const ReportQuery& q);
void bind_scope(Statement& st, const ReportQuery& q);
// `fin`: every attempt of the covered runs with nth = 1 on each recipient's last one per run.
std::string final_attempts_cte(const ReportQuery& q);

}  // namespace mailer::store::sql
