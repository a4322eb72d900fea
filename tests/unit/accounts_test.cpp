// Issue 8 §3, §10: pending registrations, code limits, keyed codes and session ages, on an
// in-memory database with a fake mailer.
#include <doctest/doctest.h>

#include <functional>
#include <string>

#include "mailer/base/error.hpp"
#include "mailer/core/users.hpp"
#include "mailer/store/sqlite/db.hpp"
#include "test_support.hpp"

using namespace mailer;
using mailer::test::code_of;

namespace {

struct Outbox {
  int count = 0;
  std::string body;
  Notify notify() {
    return [this](const std::string&, const std::string&, const std::string& b) {
      ++count;
      body = b;
    };
  }
  std::string code_after(const std::string& marker) const {
    return body.substr(body.find(marker) + marker.size(), 6);
  }
};

constexpr Time kNow = 1'800'000'000;

}  // namespace

TEST_CASE("accounts: a pending registration keeps its first name and password for its code's lifetime") {
  store::Db db(":memory:");
  Outbox mail;
  CHECK_FALSE(
      register_user(db, mail.notify(), "ann@example.com", "Анна", "owner password", kNow).already_pending);
  Registration again =
      register_user(db, mail.notify(), "ann@example.com", "Squatter", "squatter password", kNow + 60);
  CHECK(again.already_pending);
  CHECK(again.user.name == "Анна");
  CHECK(mail.body.find("waiting since") != std::string::npos);
  verify_user(db, "ann@example.com", mail.code_after("verify ann@example.com "), kNow + 120);
  CHECK(code_of([&] { login(db, "ann@example.com", "squatter password", kNow); }) == Errc::permission);
  CHECK(code_of([&] { login(db, "ann@example.com", "owner password", kNow); }) == Errc::ok);

  register_user(db, mail.notify(), "bob@example.com", "", "first password", kNow);
  CHECK_FALSE(register_user(db, mail.notify(), "bob@example.com", "", "second password", kNow + 24 * 3600)
                  .already_pending);
  verify_user(db, "bob@example.com", mail.code_after("verify bob@example.com "), kNow + 24 * 3600);
  CHECK(code_of([&] { login(db, "bob@example.com", "second password", kNow); }) == Errc::ok);
}

TEST_CASE("accounts: five codes an hour per address, for registered and unknown addresses alike") {
  store::Db db(":memory:");
  Outbox mail;
  for (int i = 0; i < 5; ++i) register_user(db, mail.notify(), "v@example.com", "", "long enough", kNow + i);
  CHECK(code_of([&] { register_user(db, mail.notify(), "v@example.com", "", "long enough", kNow + 600); }) ==
        Errc::temp_failure);
  CHECK(mail.count == 5);
  CHECK(code_of([&] { register_user(db, mail.notify(), "v@example.com", "", "long enough", kNow + 3601); }) ==
        Errc::ok);
  for (int i = 0; i < 5; ++i) request_password_reset(db, mail.notify(), "ghost@example.com", kNow + i);
  CHECK(code_of([&] { request_password_reset(db, mail.notify(), "ghost@example.com", kNow + 5); }) ==
        Errc::temp_failure);
}

TEST_CASE("accounts: wrong tries count across codes, and lock the address for an hour") {
  store::Db db(":memory:");
  Outbox mail;
  register_user(db, mail.notify(), "g@example.com", "", "long enough", kNow);
  for (int i = 0; i < 5; ++i)
    CHECK(code_of([&] { verify_user(db, "g@example.com", "not-a-code", kNow + 10); }) == Errc::data);
  register_user(db, mail.notify(), "g@example.com", "", "long enough", kNow + 20);
  const std::string code = mail.code_after("verify g@example.com ");
  CHECK(code_of([&] { verify_user(db, "g@example.com", code, kNow + 30); }) == Errc::data);
  CHECK(code_of([&] { verify_user(db, "g@example.com", code, kNow + 10 + 3600); }) == Errc::ok);
}

TEST_CASE("accounts: codes are stored as HMACs under the installation secret code_key") {
  store::Db db(":memory:");
  Outbox mail;
  register_user(db, mail.notify(), "k@example.com", "", "long enough", kNow);
  const std::string code = mail.code_after("verify k@example.com ");
  auto st = db.prepare("SELECT c.code_hash, s.value FROM user_code c, setting s WHERE s.key = 'code_key'");
  REQUIRE(st.step());
  const std::string stored = st.text(0);
  const std::string key = st.text(1);
  st.reset();
  CHECK(key.size() == 64);
  CHECK(stored == keyed_hash(key, "code:1:verify:" + code));
  CHECK(stored != hash_token("1:verify:" + code));  // the unkeyed form of a5a75cd
  db.exec("UPDATE setting SET value = '" + std::string(64, 'a') + "' WHERE key = 'code_key'");
  CHECK(code_of([&] { verify_user(db, "k@example.com", code, kNow); }) == Errc::data);
}

TEST_CASE("sessions: a session older than max_age_days is refused, and a login deletes old ones") {
  store::Db db(":memory:");
  create_superuser(db, "root@example.com", "long enough", kNow);
  const std::string token = login(db, "root@example.com", "long enough", kNow);
  CHECK(session_user(db, token, kNow + 30 * 86400 - 1).has_value());
  CHECK_FALSE(session_user(db, token, kNow + 30 * 86400).has_value());
  CHECK(session_user(db, token, kNow + 3 * 86400, 7).has_value());
  CHECK_FALSE(session_user(db, token, kNow + 8 * 86400, 7).has_value());
  login(db, "root@example.com", "long enough", kNow + 31 * 86400);
  auto st = db.prepare("SELECT count(*) FROM session");
  st.step();
  CHECK(st.int64(0) == 1);
  st.reset();
  auto who = logout(db, token);
  CHECK_FALSE(who.has_value());  // already deleted
}
