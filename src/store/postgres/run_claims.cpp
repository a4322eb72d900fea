#include "run_claims.hpp"

#include <random>

namespace mailer::store::postgres {

PgRunClaimer::PgRunClaimer(std::string url, std::string password)
    : session_(std::move(url), std::move(password), "run claims") {}

bool PgRunClaimer::try_claim(std::int64_t run) {
  if (mine_.count(run)) return true;
  if (!session_.ask("pg_try_advisory_lock", kRunLockBase + run)) return false;
  mine_.insert(run);
  return true;
}

bool PgRunClaimer::try_share(std::int64_t run) {
  if (shared_.count(run)) return true;
  if (!session_.ask("pg_try_advisory_lock_shared", kRunLockBase + run)) return false;
  shared_.insert(run);
  return true;
}

void PgRunClaimer::release(std::int64_t run) {
  if (mine_.erase(run)) session_.ask("pg_advisory_unlock", kRunLockBase + run);
  if (shared_.erase(run)) session_.ask("pg_advisory_unlock_shared", kRunLockBase + run);
}

bool PgRunClaimer::held(std::int64_t run) {
  if (mine_.count(run)) return false;
  if (!session_.ask("pg_try_advisory_lock", kRunLockBase + run)) return true;
  session_.ask("pg_advisory_unlock", kRunLockBase + run);
  return false;
}

std::int64_t PgRunClaimer::worker() {
  // Random, so that no two processes of the fleet, now or later, share a key; tried again in
  // the unlikely case that a live one has it.
  std::random_device random;
  while (worker_ == 0) {
    const std::int64_t bits =
        (std::int64_t{random()} << 8 | (random() & 0xFF)) & ((std::int64_t{1} << 40) - 1);
    if (session_.ask("pg_try_advisory_lock", kWorkerLockBase + bits)) worker_ = kWorkerLockBase + bits;
  }
  return worker_;
}

}  // namespace mailer::store::postgres
