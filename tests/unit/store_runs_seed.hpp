#pragma once
// Set-up rows for the run and attempt store contracts: one account's message and mailing
// (once, due at 100) with clients 31 (direct), 32 (through group 40) and 33 (direct, but
// unsubscribed), and a second account's client 51; and a recipient's result.
#include <string>

#include <fmt/format.h>

#include "mailer/base/ids.hpp"
#include "mailer/base/records/runs.hpp"

namespace mailer::test {

struct RunSeed {
  Id owner = 0;
  Id other = 0;
  static constexpr Id kMessage = 10;
  static constexpr Id kMailing = 20;
};

template <class Backend>
void seed_client(Backend& b, Id id, Id owner, const std::string& email,
                 const char* unsubscribed_at = "NULL") {
  b.exec(
      fmt::format("INSERT INTO client (id, owner, email, email_key, name, unsubscribed_at, created_at) "
                  "VALUES ({}, {}, '{}', '{}', 'Name {}', {}, 0)",
                  id, owner, email, email, id, unsubscribed_at));
}

template <class Backend>
RunSeed seed_mailing(Backend& b) {
  RunSeed s;
  s.owner = b.seed_account("owner@example.com");
  s.other = b.seed_account("other@example.com");
  b.exec(
      fmt::format("INSERT INTO message (id, owner, subject, body_text, body_html, created_at) "
                  "VALUES (10, {}, 'Hello', 'Text', '<p>Html</p>', 0)",
                  s.owner));
  b.exec(fmt::format(
      "INSERT INTO mailing (id, owner, name, message, start_at, every, status, enabled, next_run_at, "
      "created_at) VALUES (20, {}, 'm', 10, 0, 'once', 'created', TRUE, 100, 0)",
      s.owner));
  seed_client(b, 31, s.owner, "a@example.com");
  seed_client(b, 32, s.owner, "b@example.com");
  seed_client(b, 33, s.owner, "c@example.com", "5");
  seed_client(b, 51, s.other, "a@example.com");
  b.exec(fmt::format(
      "INSERT INTO \"group\" (id, owner, name, name_key, created_at) VALUES (40, {}, 'g', 'g', 0)", s.owner));
  b.exec("INSERT INTO group_member (group_id, client_id) VALUES (40, 32)");
  b.exec("INSERT INTO group_member (group_id, client_id) VALUES (40, 31)");
  b.exec("INSERT INTO mailing_client (mailing_id, client_id) VALUES (20, 31)");
  b.exec("INSERT INTO mailing_client (mailing_id, client_id) VALUES (20, 33)");
  b.exec("INSERT INTO mailing_group (mailing_id, group_id) VALUES (20, 40)");
  return s;
}

// One recipient's result as a sender folds it, at 200 with the server's "250 ok".
inline runs::DeliveryResult delivery_result(Id client, const char* status, const char* state,
                                            const std::string& message_id) {
  runs::DeliveryResult r;
  r.client = client;
  r.at = 200;
  r.status = status;
  r.state = state;
  r.email = "x@example.com";
  r.message_id = message_id;
  r.response = "250 ok";
  return r;
}

}  // namespace mailer::test
