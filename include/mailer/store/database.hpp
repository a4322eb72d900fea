#pragma once
// The storage interface that core and mail talk to: transactions, and one small repository
// per aggregate (users with codes and sessions; clients and groups; messages; mailings with
// their recipients; runs and run recipients; attempts and events; posts; settings). A driver
// implements it (store/sqlite, store/postgres), on the repositories of store/sql. No SQL leaves
// src/store.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "mailer/store/accounts.hpp"
#include "mailer/store/attempts.hpp"
#include "mailer/store/bounce_reports.hpp"
#include "mailer/store/bounces.hpp"
#include "mailer/store/clients.hpp"
#include "mailer/store/connection_slots.hpp"
#include "mailer/store/events.hpp"
#include "mailer/store/mailings.hpp"
#include "mailer/store/messages.hpp"
#include "mailer/store/posts.hpp"
#include "mailer/store/reports.hpp"
#include "mailer/store/runs.hpp"
#include "mailer/store/settings.hpp"

namespace mailer::store {

// A database kept in a local file, as it was opened and with symlinks and ".." resolved: a
// sender keeps its delivery journal beside it (SQLite only; a server database has none).
struct LocalFile {
  std::string given;
  std::string canonical;
};

class Database {
 public:
  virtual ~Database() = default;

  // Transactions, used through Transaction below. `immediate` takes the write lock at once
  // (SQLite BEGIN IMMEDIATE), so a read-then-write cannot lose a race to another writer.
  virtual void begin(bool immediate) = 0;
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;

  // The local file behind this database; none in memory or on a server.
  virtual std::optional<LocalFile> local_file() const = 0;

  virtual AccountStore& accounts() = 0;
  virtual ClientStore& clients() = 0;
  virtual MessageStore& messages() = 0;
  virtual MailingStore& mailings() = 0;
  virtual RunStore& runs() = 0;
  virtual AttemptStore& attempts() = 0;
  virtual SettingStore& settings() = 0;
  virtual ReportStore& reports() = 0;
  virtual EventStore& events() = 0;
  virtual BounceStore& bounces() = 0;
  virtual PostStore& posts() = 0;
  virtual BounceReportStore& bounce_reports() = 0;
  // A claimer of runs of its own: its claims and another claimer's (of this process or
  // another) exclude each other.
  virtual std::unique_ptr<RunClaimer> run_claimer() = 0;
  // The fleet's `slots` connections toward the SMTP server `server`, shared by every process
  // on the database (PostgreSQL); nullptr where one machine sends (SQLite): each process
  // keeps its own smtp.connections there.
  virtual std::unique_ptr<ConnectionSlots> connection_slots(std::string_view server, int slots) {
    (void)server;
    (void)slots;
    return nullptr;
  }
};

// BEGIN ... COMMIT; rolls back when destroyed uncommitted (an exception on the way out).
class Transaction {
 public:
  explicit Transaction(Database& db, bool immediate = true);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Database& db_;
  bool open_ = true;
};

}  // namespace mailer::store
