#pragma once
// SQLite's repository of bounces.
#include "mailer/store/bounces.hpp"
#include "mailer/store/sqlite/db.hpp"

namespace mailer::store::sqlite {

class SqliteBounceStore final : public BounceStore {
 public:
  explicit SqliteBounceStore(Db& db) : db_(db) {}

  std::optional<BounceTarget> bounce_target(Id attempt) override;
  bool add_bounce_event(const NewBounceEvent& event) override;
  void mark_attempt_bounced(Id attempt) override;
  std::vector<DeliveryOutcome> recent_outcomes(Id client, std::optional<Time> since, int limit) override;

 private:
  Db& db_;
};

}  // namespace mailer::store::sqlite
