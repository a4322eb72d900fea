#pragma once
// A database with one verified account, a message and clients, and a FakeServer in place of
// SMTP: what the dispatch_*_test.cpp cases send through the public functions of dispatch.hpp.
#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "fake_transport.hpp"
#include "mailer/core/clients.hpp"
#include "mailer/core/mailings.hpp"
#include "mailer/core/messages.hpp"
#include "mailer/mail/dispatch.hpp"
#include "mailer/store/sqlite/db.hpp"
#include "test_support.hpp"

namespace mailer::test {

// The time the tests' mailings start and are first sent at (2030-03-17 17:46:40 UTC).
constexpr Time kT0 = 1'900'000'000;

class DispatchWorld {
 public:
  // `on_file` false: SQLite in memory (no journal, no run claims).
  explicit DispatchWorld(bool on_file = true)
      : dir_("mailer-dispatch-" + std::to_string(counter()++)),
        path_(on_file ? (dir_.path / "mailer.db").string() : std::string(":memory:")),
        db(path_) {
    config.smtp.connections = 1;
    owner.id = db.prepare(
                     "INSERT INTO account (email, name, password_hash, verified, active, roles, created_at) "
                     "VALUES ('owner@example.com', '', 'x', TRUE, TRUE, 'user', 0) RETURNING id")
                   .returned_id();
    message = add_message(db, owner, "Hello", "Hi there", std::nullopt, kT0).id;
  }

  const std::string& path() const { return path_; }
  const std::filesystem::path& dir() const { return dir_.path; }

  // A client of the owner's; its id.
  Id client(const std::string& email) { return add_client(db, owner, email, "", "", {}, kT0).id; }
  // `n` clients c1@example.com ... cN@example.com; their ids.
  std::vector<Id> clients(int n) {
    std::vector<Id> ids;
    for (int i = 1; i <= n; ++i) ids.push_back(client("c" + std::to_string(i) + "@example.com"));
    return ids;
  }
  // A mailing of the message to `to`, starting at kT0.
  Id mailing(const std::vector<Id>& to, schedule::Every every = schedule::Every::once) {
    MailingInput in;
    in.message = message;
    in.clients = to;
    in.start_at = kT0;
    in.every = every;
    return add_mailing(db, owner, in, kT0).id;
  }

  // A request whose transports are this world's fake server.
  SendRequest request() {
    SendRequest r;
    r.transport = server.factory();
    return r;
  }
  // `send --due` at `now`.
  SendSummary due(Time now) { return send_due(db, config, request(), now); }

  // The client's row in the (only) run that has it: state, tries, retry_at.
  std::string state(Id client) {
    return one_text("SELECT state FROM run_recipient WHERE client = ?", client);
  }
  std::int64_t tries(Id client) {
    return one_int("SELECT tries FROM run_recipient WHERE client = ?", client).value_or(-1);
  }
  std::optional<Time> retry_at(Id client) {
    return one_int("SELECT retry_at FROM run_recipient WHERE client = ?", client);
  }
  // The statuses of the attempts logged for an address, in order.
  std::vector<std::string> attempts(const std::string& email) {
    std::vector<std::string> out;
    auto st = db.prepare("SELECT status FROM attempt WHERE email = ? ORDER BY id");
    st.bind(1, email);
    while (st.step()) out.push_back(st.text(0));
    return out;
  }
  // The SMTP code of the last attempt logged for an address (nullopt: none, or no reply).
  std::optional<std::int64_t> last_code(const std::string& email) {
    return one_int("SELECT smtp_code FROM attempt WHERE email = ? ORDER BY id DESC LIMIT 1", email);
  }
  std::string last_response(const std::string& email) {
    return one_text("SELECT server_response FROM attempt WHERE email = ? ORDER BY id DESC LIMIT 1", email);
  }
  // One number a query gives (nullopt: no row, or NULL).
  template <class... Args>
  std::optional<std::int64_t> one_int(const std::string& sql, const Args&... args) {
    auto st = db.prepare(sql);
    st.bind_all(args...);
    if (!st.step()) return std::nullopt;
    return st.opt_int64(0);
  }
  template <class... Args>
  std::string one_text(const std::string& sql, const Args&... args) {
    auto st = db.prepare(sql);
    st.bind_all(args...);
    if (!st.step()) return "";
    return st.opt_text(0).value_or("");
  }

 private:
  static std::atomic<int>& counter() {
    static std::atomic<int> n{0};
    return n;
  }
  TempDir dir_;
  std::string path_;

 public:
  store::Db db;
  Config config;
  Actor owner;
  Id message = 0;
  FakeServer server;
};

// The address of the clients(n) client number i (from 1).
inline std::string c(int i) { return "c" + std::to_string(i) + "@example.com"; }

}  // namespace mailer::test
