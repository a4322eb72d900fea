#pragma once
// A PostgreSQL connection of its own for session advisory locks (run claims, connection slots):
// the server drops every lock it holds when it closes, and so when its process dies.
// Connects at the first use.
#include <cstdint>
#include <string>

struct pg_conn;

namespace mailer::store::postgres {

class LockSession {
 public:
  // `purpose` names it in errors ("run claims") and in pg_stat_activity ("mailer run claims").
  LockSession(std::string url, std::string password, std::string purpose);
  ~LockSession();
  LockSession(const LockSession&) = delete;
  LockSession& operator=(const LockSession&) = delete;

  // SELECT function(key): false only when it answered false (a void function is true).
  bool ask(const char* function, std::int64_t key);
  // The connection, opened now if it was not; Error{temp_failure} when the server is not there.
  pg_conn* connection();
  // An error of this session's: Error{temp_failure} with the server's reason.
  [[noreturn]] void fail(const std::string& why) const;

 private:
  std::string url_;
  std::string password_;
  std::string purpose_;
  pg_conn* conn_ = nullptr;
};

}  // namespace mailer::store::postgres
