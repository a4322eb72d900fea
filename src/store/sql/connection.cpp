#include "mailer/store/sql/connection.hpp"

#include "accounts.hpp"
#include "attempts.hpp"
#include "bounce_reports.hpp"
#include "bounces.hpp"
#include "clients.hpp"
#include "events.hpp"
#include "mailer/base/error.hpp"
#include "mailings.hpp"
#include "messages.hpp"
#include "posts.hpp"
#include "reports.hpp"
#include "runs.hpp"
#include "settings.hpp"

namespace mailer::store {

Statement::Statement(SqlConnection& db, std::string_view sql) : cursor_(db.cursor(sql)) {}

std::int64_t Statement::returned_id() {
  if (!step()) throw Error(Errc::internal, "an insert returned no id");
  return int64(0);
}

void Statement::run() {
  while (step()) {
  }
  reset();
}

std::optional<std::string> Statement::opt_text(int col) const {
  if (is_null(col)) return std::nullopt;
  return text(col);
}

std::optional<std::int64_t> Statement::opt_int64(int col) const {
  if (is_null(col)) return std::nullopt;
  return int64(col);
}

struct SqlConnection::Repositories {
  explicit Repositories(SqlConnection& db)
      : accounts(db),
        clients(db),
        messages(db),
        mailings(db),
        runs(db),
        attempts(db),
        settings(db),
        reports(db),
        events(db),
        bounces(db),
        posts(db),
        bounce_reports(db) {}
  sql::SqlAccountStore accounts;
  sql::SqlClientStore clients;
  sql::SqlMessageStore messages;
  sql::SqlMailingStore mailings;
  sql::SqlRunStore runs;
  sql::SqlAttemptStore attempts;
  sql::SqlSettingStore settings;
  sql::SqlReportStore reports;
  sql::SqlEventStore events;
  sql::SqlBounceStore bounces;
  sql::SqlPostStore posts;
  sql::SqlBounceReportStore bounce_reports;
};

SqlConnection::SqlConnection() = default;
SqlConnection::~SqlConnection() = default;

SqlConnection::Repositories& SqlConnection::repositories() {
  if (!repositories_) repositories_ = std::make_unique<Repositories>(*this);
  return *repositories_;
}
void SqlConnection::drop_repositories() noexcept { repositories_.reset(); }

AccountStore& SqlConnection::accounts() { return repositories().accounts; }
ClientStore& SqlConnection::clients() { return repositories().clients; }
MessageStore& SqlConnection::messages() { return repositories().messages; }
MailingStore& SqlConnection::mailings() { return repositories().mailings; }
RunStore& SqlConnection::runs() { return repositories().runs; }
AttemptStore& SqlConnection::attempts() { return repositories().attempts; }
SettingStore& SqlConnection::settings() { return repositories().settings; }
ReportStore& SqlConnection::reports() { return repositories().reports; }
EventStore& SqlConnection::events() { return repositories().events; }
BounceStore& SqlConnection::bounces() { return repositories().bounces; }
PostStore& SqlConnection::posts() { return repositories().posts; }
BounceReportStore& SqlConnection::bounce_reports() { return repositories().bounce_reports; }

}  // namespace mailer::store
