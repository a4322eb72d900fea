#pragma once
// PostgreSQL's run claim (SPEC §3): a session advisory lock per run, on a connection of the
// claimer's own, so that two claimers of one process exclude each other (a session's advisory
// locks are re-entrant) and the server drops a dead sender's claims with its connection.
// Senders share a run's lock; settling a run takes it alone. A worker's key, the owner of its
// leases, is a lock of the same session.
#include <cstdint>
#include <set>
#include <string>

#include "lock_session.hpp"
#include "mailer/store/runs.hpp"

namespace mailer::store::postgres {

class PgRunClaimer final : public RunClaimer {
 public:
  PgRunClaimer(std::string url, std::string password);
  PgRunClaimer(const PgRunClaimer&) = delete;
  PgRunClaimer& operator=(const PgRunClaimer&) = delete;

  bool try_claim(std::int64_t run) override;
  void release(std::int64_t run) override;
  bool held(std::int64_t run) override;
  bool shares_runs() const override { return true; }
  bool try_share(std::int64_t run) override;
  std::int64_t worker() override;

  // Advisory keys of run claims: "mlr" and a run id below 2^40.
  static constexpr std::int64_t kRunLockBase = std::int64_t{0x6D6C72} << 40;
  // Advisory keys of workers (lease owners): "mls" and 40 random bits.
  static constexpr std::int64_t kWorkerLockBase = std::int64_t{0x6D6C73} << 40;

 private:
  LockSession session_;
  std::set<std::int64_t> mine_;    // claimed
  std::set<std::int64_t> shared_;  // joined as one of its senders
  std::int64_t worker_ = 0;
};

}  // namespace mailer::store::postgres
