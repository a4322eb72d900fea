#include "connection_slots.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <map>

#include "libpq.hpp"

namespace mailer::store::postgres {

namespace {

// 24 bits of FNV-1a: two servers whose URLs collide share their limit, which errs on the safe side.
std::int64_t server_bits(std::string_view server) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : server) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return static_cast<std::int64_t>(h & 0xFFFFFF);
}

}  // namespace

PgConnectionSlots::PgConnectionSlots(std::string url, std::string password, std::string_view server,
                                     int slots)
    : session_(std::move(url), std::move(password), "connection slots"),
      base_(kSlotLockBase | server_bits(server) << 16),
      slots_(slots) {}

LockSession& PgConnectionSlots::joined() {
  if (!joined_) {
    session_.ask("pg_advisory_lock_shared", base_ + kSender);
    joined_ = true;
  }
  return session_;
}

int PgConnectionSlots::take() {
  for (int slot = 0; slot < slots_; ++slot) {
    if (mine_.count(slot)) continue;
    if (joined().ask("pg_try_advisory_lock", base_ + slot)) {
      mine_.insert(slot);
      return slot;
    }
  }
  return -1;
}

void PgConnectionSlots::give_back(int slot) {
  if (mine_.erase(slot)) joined().ask("pg_advisory_unlock", base_ + slot);
}

void PgConnectionSlots::set_waiting(bool waiting) {
  if (waiting == waiting_) return;
  joined().ask(waiting ? "pg_advisory_lock_shared" : "pg_advisory_unlock_shared", base_ + kWaiting);
  waiting_ = waiting;
}

fleet::SlotCensus PgConnectionSlots::census() {
  const auto& pq = libpq();
  // A bigint key shows in pg_locks as classid (high half), objid (low half) and objsubid 1.
  const std::string sql = fmt::format(
      "SELECT l.pid = pg_backend_pid(), l.pid, ((l.classid::bigint << 32) | l.objid::bigint) & 65535 "
      "FROM pg_locks l WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted AND "
      "l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND "
      "((l.classid::bigint << 32) | l.objid::bigint) >> 16 = {}",
      base_ >> 16);
  PGresult* r = pq.exec(joined().connection(), sql.c_str());
  if (pq.result_status(r) != PGRES_TUPLES_OK) {
    std::string why = pq.result_error_message(r);
    pq.clear(r);
    session_.fail(why);
  }
  struct Process {
    bool sender = false;
    bool waiting = false;
    int held = 0;
  };
  std::map<long, Process> others;
  fleet::SlotCensus c;
  c.slots = slots_;
  c.hosts = 1;
  int held = 0;
  for (int i = 0; i < pq.ntuples(r); ++i) {
    const bool me = pq.getvalue(r, i, 0)[0] == 't';
    const long low = std::strtol(pq.getvalue(r, i, 2), nullptr, 10);
    if (low < slots_) ++held;
    if (me) continue;
    Process& p = others[std::strtol(pq.getvalue(r, i, 1), nullptr, 10)];
    if (low < slots_) ++p.held;
    if (low == kSender) p.sender = true;
    if (low == kWaiting) p.waiting = true;
  }
  pq.clear(r);
  for (const auto& [pid, p] : others) {
    if (p.sender) ++c.hosts;
    if (p.waiting) c.waiting_others.push_back(p.held);
  }
  c.mine = static_cast<int>(mine_.size());
  c.free = std::max(0, slots_ - held);
  return c;
}

}  // namespace mailer::store::postgres
