#pragma once
// The repository of accounts, their verification and reset codes (with the events the code
// limits count), and login sessions.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailer/base/ids.hpp"
#include "mailer/base/records/accounts.hpp"
#include "mailer/base/time.hpp"

namespace mailer::store {

// The key that makes two addresses one account: ASCII letters folded, as SQLite's NOCASE
// compared them before the key existed (migration 007), so no account changes meaning.
std::string account_email_key(std::string_view email);

class AccountStore {
 public:
  virtual ~AccountStore() = default;

  // The account whose email equals `email` ignoring ASCII case.
  virtual std::optional<AccountRecord> find_by_email(std::string_view email) = 0;
  // The account with this id.
  virtual std::optional<AccountRecord> find(Id id) = 0;
  // Every account, oldest first.
  virtual std::vector<AccountRecord> list() = 0;
  // Creates an account; its id. An email taken in any case fails (Error from the driver).
  virtual Id insert(const NewAccount& account) = 0;
  // A lapsed unverified registration taken over: new name, password and start.
  virtual void renew_registration(Id id, std::string_view name, std::string_view password_hash,
                                  Time created_at) = 0;
  // Marks the account verified.
  virtual void set_verified(Id id) = 0;
  // Replaces the password hash.
  virtual void set_password_hash(Id id, std::string_view password_hash) = 0;
  // Blocks (false) or unblocks the account.
  virtual void set_active(Id id, bool active) = 0;
  // Replaces the stored role list.
  virtual void set_roles(Id id, std::string_view roles) = 0;
  // What a login with this email checks; nullopt when no account has it.
  virtual std::optional<AccountCredentials> credentials(std::string_view email) = 0;

  // Sets the account's code of `purpose`, replacing an older one of the same purpose.
  virtual void put_code(Id account, std::string_view purpose, std::string_view code_hash, Time expires_at,
                        int tries_left) = 0;
  // The account's code of `purpose`, live or not.
  virtual std::optional<StoredCode> find_code(Id account, std::string_view purpose) = 0;
  // Deletes one code (used up).
  virtual void delete_code(Id code) = 0;
  // Counts a wrong try against a code; the code goes when out of tries or expired at `now`.
  virtual void spend_code_try(Id code, Time now) = 0;
  // Deletes the codes that expired before `now`.
  virtual void delete_codes_expired_before(Time now) = 0;

  // How many events of `kind` the subject has with after < at <= until.
  virtual int count_code_events(std::string_view subject, std::string_view kind, Time after, Time until) = 0;
  // Records an event; events at or before `forget_until` are deleted first (nothing needs them).
  virtual void add_code_event(std::string_view subject, std::string_view kind, Time at,
                              Time forget_until) = 0;

  // Opens a session by the hash of its token.
  virtual void add_session(Id account, std::string_view token_hash, Time created_at) = 0;
  // The account of the session with this token hash, when the session was created after
  // `created_after` (any age when nullopt).
  virtual std::optional<AccountRecord> session_account(std::string_view token_hash,
                                                       std::optional<Time> created_after) = 0;
  // Ends the session with this token hash.
  virtual void delete_session(std::string_view token_hash) = 0;
  // Ends every session of the account.
  virtual void delete_sessions_of(Id account) = 0;
  // Deletes every session created at or before `oldest`.
  virtual void delete_sessions_created_until(Time oldest) = 0;
};

}  // namespace mailer::store
