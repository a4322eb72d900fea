#pragma once
// The SQL drivers' repository of runs of mailings and their run recipients (the send queue).
#include <optional>

#include "mailer/store/runs.hpp"
#include "mailer/store/sql/connection.hpp"

namespace mailer::store::sql {

class SqlRunStore final : public RunStore {
 public:
  explicit SqlRunStore(SqlConnection& db) : db_(db) {}

  Id create_run(Id mailing, Id owner, std::string_view trigger, Time scheduled_for, Time now) override;
  std::optional<Id> create_retry_run(Id mailing, Id owner, Time now) override;
  Id create_test_run(Id mailing, Time now) override;
  void finish_run(Id run, Time at) override;
  std::optional<Time> last_slot(Id mailing) override;
  std::vector<runs::OpenRun> open_runs_of(Id mailing) override;
  std::optional<Id> open_once_run(Id mailing) override;
  std::vector<runs::RunInfo> open_runs(Time now, std::optional<Id> only_run, bool with_paused) override;
  std::vector<runs::RunInfo> runs_to_settle() override;
  bool is_open(Id run) override;
  runs::Halt halt_of(Id run) override;
  bool claim(Id run, const std::string& claimed_by, const std::optional<std::string>& journal) override;
  void record_error(Id run, const std::string& error, Time now, bool pause) override;
  void resume_paused(Id mailing) override;
  std::size_t left_to_send(Id run) override;
  std::size_t due_recipients(Id run, Time now) override;
  void recipients_page(Id run, Id after, Time now, int limit, std::vector<runs::RunRecipient>& out) override;
  void lease_page(Id run, Id worker, Id after, Time now, int limit, int lease_ms, bool orphans_only,
                  std::vector<runs::RunRecipient>& out) override;
  void renew_leases(Id run, Id worker, int lease_ms, std::vector<Id>& mine) override;
  void release_leases(Id run, Id worker) override;
  std::vector<runs::RunRecipient> resolve_recipients(Id mailing, Id owner) override;
  bool fold_results(Id run, Id mailing, std::span<const runs::DeliveryResult> results,
                    std::vector<runs::FoldedBounce>* bounced, runs::LeaseFence* fence) override;
  bool close_if_done(Id run, Id mailing, Time now) override;

 private:
  // Prepared on first use and kept: the hot paths of a send bind and reset them.
  Statement& cached(std::optional<Statement>& slot, const char* sql);

  SqlConnection& db_;
  std::optional<Statement> halt_;
  std::optional<Statement> page_;
  std::optional<Statement> lease_;
  std::optional<Statement> lease_orphans_;
  std::optional<Statement> renew_;
  std::optional<Statement> run_exists_;
  std::optional<Statement> update_recipient_;
  std::optional<Statement> insert_attempt_;
  std::optional<Statement> insert_bounced_;
  std::optional<Statement> requeue_;
  std::optional<Statement> recipient_exists_;
  std::optional<Statement> client_exists_;
  std::optional<Statement> copy_logged_;
};

}  // namespace mailer::store::sql
