#include "connection_slots.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <map>

#include "libpq.hpp"
#include "mailer/base/error.hpp"
#include "mailer/store/postgres/db.hpp"

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
    : url_(std::move(url)),
      password_(std::move(password)),
      base_(kSlotLockBase | server_bits(server) << 16),
      slots_(slots) {}

PgConnectionSlots::~PgConnectionSlots() {
  if (conn_) libpq().finish(conn_);  // the server drops the slots with the session
}

pg_conn* PgConnectionSlots::connection() {
  if (conn_) return conn_;
  std::string why;
  conn_ = connect(url_, password_, "mailer connection slots", why);
  if (!conn_) {
    throw Error(
        Errc::temp_failure,
        fmt::format("cannot connect to database {} for connection slots: {}", redact_postgres_url(url_), why),
        "try again");
  }
  // Counted among the server's senders from the first use on.
  ask("pg_advisory_lock_shared", base_ + kSender);
  return conn_;
}

bool PgConnectionSlots::ask(const char* function, std::int64_t key) {
  const auto& pq = libpq();
  const std::string sql = fmt::format("SELECT {}({})::text", function, key);
  PGresult* r = pq.exec(connection(), sql.c_str());
  const bool ok = pq.result_status(r) == PGRES_TUPLES_OK;
  // pg_advisory_lock_shared() returns void, shown as the empty text.
  const bool yes = ok && pq.getvalue(r, 0, 0)[0] != 'f';
  std::string why = ok ? std::string() : pq.result_error_message(r);
  pq.clear(r);
  if (!ok)
    throw Error(Errc::temp_failure,
                fmt::format("database {}: connection slots: {}", redact_postgres_url(url_), why),
                "try again");
  return yes;
}

int PgConnectionSlots::take() {
  for (int slot = 0; slot < slots_; ++slot) {
    if (mine_.count(slot)) continue;
    if (ask("pg_try_advisory_lock", base_ + slot)) {
      mine_.insert(slot);
      return slot;
    }
  }
  return -1;
}

void PgConnectionSlots::give_back(int slot) {
  if (mine_.erase(slot)) ask("pg_advisory_unlock", base_ + slot);
}

void PgConnectionSlots::set_waiting(bool waiting) {
  if (waiting == waiting_) return;
  ask(waiting ? "pg_advisory_lock_shared" : "pg_advisory_unlock_shared", base_ + kWaiting);
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
  PGresult* r = pq.exec(connection(), sql.c_str());
  if (pq.result_status(r) != PGRES_TUPLES_OK) {
    std::string why = pq.result_error_message(r);
    pq.clear(r);
    throw Error(Errc::temp_failure,
                fmt::format("database {}: connection slots: {}", redact_postgres_url(url_), why),
                "try again");
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
