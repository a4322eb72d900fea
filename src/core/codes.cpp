#include "codes.hpp"

#include <fmt/format.h>

#include "mailer/base/error.hpp"
#include "mailer/core/secrets.hpp"

namespace mailer::codes {
namespace {

const char* name(Purpose purpose) { return purpose == Purpose::verify ? "verify" : "reset"; }

Time lifetime(Purpose purpose) { return purpose == Purpose::verify ? kVerifyLifetime : kResetLifetime; }

std::string key(store::Db& db) { return installation_secret(db, "code_key"); }

// The address as the limits know it: keyed, so that the table does not list who asked.
// ASCII case is folded as the user table's NOCASE does.
std::string subject(store::Db& db, std::string_view email, Purpose purpose) {
  std::string folded(email);
  for (char& c : folded)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return keyed_hash(key(db), fmt::format("subject:{}:{}", name(purpose), folded));
}

int recent(store::Db& db, const std::string& subject, const char* kind, Time now) {
  // `at <= now` too: with MAILER_NOW set back, later events do not count as recent.
  auto st =
      db.prepare("SELECT count(*) FROM code_event WHERE subject = ? AND kind = ? AND at > ? AND at <= ?");
  st.bind_all(subject, kind, now - kWindow, now);
  st.step();
  return static_cast<int>(st.int64(0));
}

void record(store::Db& db, const std::string& subject, const char* kind, Time now) {
  db.prepare("DELETE FROM code_event WHERE at <= ?").bind(1, now - kWindow).run();
  db.prepare("INSERT INTO code_event (subject, kind, at) VALUES (?, ?, ?)")
      .bind_all(subject, kind, now)
      .run();
}

std::string code_hash(store::Db& db, std::int64_t user_id, Purpose purpose, std::string_view code) {
  return keyed_hash(key(db), fmt::format("code:{}:{}:{}", user_id, name(purpose), code));
}

}  // namespace

void count_request(store::Db& db, std::string_view email, Purpose purpose, Time now) {
  const std::string s = subject(db, email, purpose);
  if (recent(db, s, "request", now) >= kRequestsPerWindow)
    throw Error(Errc::temp_failure,
                fmt::format("too many codes asked for {} (at most {} an hour)", email, kRequestsPerWindow),
                "try again in an hour; a code already sent stays valid until it expires");
  record(db, s, "request", now);
}

std::string issue(store::Db& db, std::int64_t user_id, Purpose purpose, Time now) {
  std::string code = random_code();
  db.prepare("DELETE FROM user_code WHERE expires_at < ?").bind(1, now).run();
  db.prepare(
        "INSERT INTO user_code (user_id, purpose, code_hash, expires_at, tries_left) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (user_id, purpose) DO UPDATE SET code_hash = excluded.code_hash, "
        "expires_at = excluded.expires_at, tries_left = excluded.tries_left")
      .bind_all(user_id, name(purpose), code_hash(db, user_id, purpose, code), now + lifetime(purpose),
                kTriesPerCode)
      .run();
  return code;
}

bool consume(store::Db& db, std::string_view email, std::optional<std::int64_t> user_id, Purpose purpose,
             std::string_view code, Time now) {
  const std::string s = subject(db, email, purpose);
  if (recent(db, s, "wrong", now) >= kWrongTriesPerWindow) return false;
  if (user_id) {
    auto st = db.prepare(
        "SELECT id, code_hash, expires_at, tries_left FROM user_code WHERE user_id = ? AND purpose = ?");
    st.bind_all(*user_id, name(purpose));
    if (st.step()) {
      const std::int64_t id = st.int64(0);
      const std::string stored = st.text(1);
      const bool live = st.int64(2) >= now && st.int64(3) > 0;
      st.reset();
      if (live && same_hash(code_hash(db, *user_id, purpose, code), stored)) {
        db.prepare("DELETE FROM user_code WHERE id = ?").bind(1, id).run();
        return true;
      }
      db.prepare("UPDATE user_code SET tries_left = tries_left - 1 WHERE id = ?").bind(1, id).run();
      db.prepare("DELETE FROM user_code WHERE id = ? AND (tries_left <= 0 OR expires_at < ?)")
          .bind_all(id, now)
          .run();
    }
  }
  record(db, s, "wrong", now);
  return false;
}

}  // namespace mailer::codes
