#include "codes.hpp"

#include <fmt/format.h>

#include "mailer/base/error.hpp"
#include "mailer/core/secrets.hpp"
#include "mailer/store/accounts.hpp"

namespace mailer::codes {
namespace {

const char* name(Purpose purpose) { return purpose == Purpose::verify ? "verify" : "reset"; }

Time lifetime(Purpose purpose) { return purpose == Purpose::verify ? kVerifyLifetime : kResetLifetime; }

std::string key(store::Database& db) { return installation_secret(db, "code_key"); }

// The address as the limits know it: keyed, so that the table does not list who asked.
// ASCII case is folded as the account's email key is (store::account_email_key).
std::string subject(store::Database& db, std::string_view email, Purpose purpose) {
  return keyed_hash(key(db), fmt::format("subject:{}:{}", name(purpose), store::account_email_key(email)));
}

int recent(store::Database& db, const std::string& subject, const char* kind, Time now) {
  // `at <= now` too: with MAILER_NOW set back, later events do not count as recent.
  return db.accounts().count_code_events(subject, kind, now - kWindow, now);
}

void record(store::Database& db, const std::string& subject, const char* kind, Time now) {
  db.accounts().add_code_event(subject, kind, now, now - kWindow);
}

std::string code_hash(store::Database& db, std::int64_t user_id, Purpose purpose, std::string_view code) {
  return keyed_hash(key(db), fmt::format("code:{}:{}:{}", user_id, name(purpose), code));
}

}  // namespace

void count_request(store::Database& db, std::string_view email, Purpose purpose, Time now) {
  const std::string s = subject(db, email, purpose);
  if (recent(db, s, "request", now) >= kRequestsPerWindow)
    throw Error(Errc::temp_failure,
                fmt::format("too many codes asked for {} (at most {} an hour)", email, kRequestsPerWindow),
                "try again in an hour; a code already sent stays valid until it expires");
  record(db, s, "request", now);
}

std::string issue(store::Database& db, std::int64_t user_id, Purpose purpose, Time now) {
  std::string code = random_code();
  db.accounts().delete_codes_expired_before(now);
  db.accounts().put_code(user_id, name(purpose), code_hash(db, user_id, purpose, code),
                         now + lifetime(purpose), kTriesPerCode);
  return code;
}

bool consume(store::Database& db, std::string_view email, std::optional<std::int64_t> user_id,
             Purpose purpose, std::string_view code, Time now) {
  const std::string s = subject(db, email, purpose);
  if (recent(db, s, "wrong", now) >= kWrongTriesPerWindow) return false;
  if (user_id) {
    if (auto stored = db.accounts().find_code(*user_id, name(purpose))) {
      const bool live = stored->expires_at >= now && stored->tries_left > 0;
      if (live && same_hash(code_hash(db, *user_id, purpose, code), stored->code_hash)) {
        db.accounts().delete_code(stored->id);
        return true;
      }
      db.accounts().spend_code_try(stored->id, now);
    }
  }
  record(db, s, "wrong", now);
  return false;
}

}  // namespace mailer::codes
