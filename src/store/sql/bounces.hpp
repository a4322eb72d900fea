#pragma once
// The SQL drivers' repository of bounces.
#include "mailer/store/bounces.hpp"
#include "mailer/store/sql/connection.hpp"

namespace mailer::store::sql {

class SqlBounceStore final : public BounceStore {
 public:
  explicit SqlBounceStore(SqlConnection& db) : db_(db) {}

  std::optional<BounceTarget> bounce_target(Id attempt) override;
  bool add_bounce_event(const NewBounceEvent& event) override;
  void mark_attempt_bounced(Id attempt) override;
  std::vector<DeliveryOutcome> recent_outcomes(Id client, std::optional<Time> since, int limit) override;

 private:
  SqlConnection& db_;
};

}  // namespace mailer::store::sql
