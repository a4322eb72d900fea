#pragma once
// The SQL drivers' repository of accounts, their verification and reset codes, and login sessions.
#include "mailer/store/accounts.hpp"
#include "mailer/store/sql/connection.hpp"

namespace mailer::store::sql {

class SqlAccountStore final : public AccountStore {
 public:
  explicit SqlAccountStore(SqlConnection& db) : db_(db) {}

  std::optional<AccountRecord> find_by_email(std::string_view email) override;
  std::optional<AccountRecord> find(Id id) override;
  std::vector<AccountRecord> list() override;
  Id insert(const NewAccount& account) override;
  void renew_registration(Id id, std::string_view name, std::string_view password_hash,
                          Time created_at) override;
  void set_verified(Id id) override;
  void set_password_hash(Id id, std::string_view password_hash) override;
  void set_active(Id id, bool active) override;
  void set_roles(Id id, std::string_view roles) override;
  std::optional<AccountCredentials> credentials(std::string_view email) override;

  void put_code(Id account, std::string_view purpose, std::string_view code_hash, Time expires_at,
                int tries_left) override;
  std::optional<StoredCode> find_code(Id account, std::string_view purpose) override;
  void delete_code(Id code) override;
  void spend_code_try(Id code, Time now) override;
  void delete_codes_expired_before(Time now) override;

  int count_code_events(std::string_view subject, std::string_view kind, Time after, Time until) override;
  void add_code_event(std::string_view subject, std::string_view kind, Time at, Time forget_until) override;

  void add_session(Id account, std::string_view token_hash, Time created_at) override;
  std::optional<AccountRecord> session_account(std::string_view token_hash,
                                               std::optional<Time> created_after) override;
  void delete_session(std::string_view token_hash) override;
  void delete_sessions_of(Id account) override;
  void delete_sessions_created_until(Time oldest) override;

 private:
  SqlConnection& db_;
};

}  // namespace mailer::store::sql
