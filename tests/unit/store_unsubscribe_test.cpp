// Contract: a client's unsubscribe in the client store of every backend (issue 10 point 7):
// when and how it happened, its clearing, and the listing of those who unsubscribed.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "store_backends.hpp"

using namespace mailer;

namespace {

constexpr Time kNow = 1'790'000'000;

std::vector<std::string> emails(const std::vector<Client>& clients) {
  std::vector<std::string> out;
  for (const auto& c : clients) out.push_back(c.email);
  return out;
}

}  // namespace

TEST_CASE_TEMPLATE("clients store: an unsubscribe keeps its time and way, and the first one stays", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::ClientStore& s = b.db().clients();
  const Id olga = b.seed_account("olga@example.com");
  const Id id = s.add_client(olga, ClientFields{"ivan@example.com", "Иван", ""}, kNow);
  const Id other = s.add_client(olga, ClientFields{"petr@example.com", "Пётр", ""}, kNow);
  CHECK_FALSE(s.client(id)->unsubscribed_via);
  CHECK(s.unsubscribe_client(id, kNow + 60, "cli"));
  auto c = s.client(id);
  REQUIRE(c);
  CHECK(c->unsubscribed_at == kNow + 60);
  CHECK(c->unsubscribed_via == "cli");
  // A second unsubscribe (the link clicked after a phone call) changes nothing.
  CHECK_FALSE(s.unsubscribe_client(id, kNow + 120, "link"));
  c = s.client(id);
  CHECK(c->unsubscribed_at == kNow + 60);
  CHECK(c->unsubscribed_via == "cli");
  CHECK_FALSE(s.client(other)->unsubscribed_at);
  CHECK_FALSE(s.unsubscribe_client(other + 100, kNow, "cli"));  // no such client
}

TEST_CASE_TEMPLATE("clients store: a resubscribe clears the time and the way, once", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::ClientStore& s = b.db().clients();
  const Id olga = b.seed_account("olga@example.com");
  const Id id = s.add_client(olga, ClientFields{"ivan@example.com", "", ""}, kNow);
  CHECK_FALSE(s.resubscribe_client(id));  // subscribed already
  REQUIRE(s.unsubscribe_client(id, kNow, "one-click"));
  CHECK(s.resubscribe_client(id));
  const auto c = s.client(id);
  CHECK_FALSE(c->unsubscribed_at);
  CHECK_FALSE(c->unsubscribed_via);
  CHECK_FALSE(s.resubscribe_client(id));
  // Unsubscribed again later: the new time and way.
  CHECK(s.unsubscribe_client(id, kNow + 5, "link"));
  CHECK(s.client(id)->unsubscribed_via == "link");
}

TEST_CASE_TEMPLATE("clients store: an unsubscribe recorded before its way was kept reads with no way",
                   Backend, MAILER_STORE_BACKENDS) {
  Backend b;
  store::ClientStore& s = b.db().clients();
  const Id olga = b.seed_account("olga@example.com");
  const Id old = s.add_client(olga, ClientFields{"old@example.com", "", ""}, kNow);
  const Id odd = s.add_client(olga, ClientFields{"odd@example.com", "", ""}, kNow);
  b.exec("UPDATE client SET unsubscribed_at = 5 WHERE id = " + std::to_string(old));
  // A way without a time (written by hand) is no unsubscribe.
  b.exec("UPDATE client SET unsubscribed_via = 'link' WHERE id = " + std::to_string(odd));
  const auto c = s.client(old);
  CHECK(c->unsubscribed_at == 5);
  CHECK_FALSE(c->unsubscribed_via);
  CHECK_FALSE(s.client(odd)->unsubscribed_at);
  CHECK_FALSE(s.client(odd)->unsubscribed_via);
}

TEST_CASE_TEMPLATE("clients store: a listing of the unsubscribed has only them, with the other criteria",
                   Backend, MAILER_STORE_BACKENDS) {
  Backend b;
  store::ClientStore& s = b.db().clients();
  const Id olga = b.seed_account("olga@example.com");
  const Id petr = b.seed_account("petr@example.com");
  const Id a = s.add_client(olga, ClientFields{"a@example.com", "Анна", ""}, kNow);
  const Id bb = s.add_client(olga, ClientFields{"b@example.com", "Борис", ""}, kNow);
  const Id c = s.add_client(olga, ClientFields{"c@example.com", "Вера", ""}, kNow);
  const Id p = s.add_client(petr, ClientFields{"p@example.com", "Пётр", ""}, kNow);
  const Id g = s.add_group(olga, "Опт", kNow);
  s.add_members(g, std::vector<Id>{a, bb});
  s.add_group(petr, "опт", kNow);
  s.unsubscribe_client(bb, kNow, "link");
  s.unsubscribe_client(c, kNow, "cli");
  s.unsubscribe_client(p, kNow, "one-click");

  store::ClientQuery q;
  q.owner = olga;
  q.unsubscribed = true;
  const auto mine = s.list_clients(q);
  CHECK(emails(mine) == std::vector<std::string>{"b@example.com", "c@example.com"});
  CHECK(mine[0].unsubscribed_via == "link");
  CHECK(mine[0].groups == std::vector<std::string>{"Опт"});
  q.group = g;
  CHECK(emails(s.list_clients(q)) == std::vector<std::string>{"b@example.com"});
  q.group.reset();
  q.search = "вера";
  CHECK(emails(s.list_clients(q)) == std::vector<std::string>{"c@example.com"});

  store::ClientQuery everyone;
  everyone.unsubscribed = true;
  CHECK(emails(s.list_clients(everyone)) ==
        std::vector<std::string>{"b@example.com", "c@example.com", "p@example.com"});
  // A bound criterion beside it: everyone's groups named "опт" (folded).
  everyone.group_name = "ОПТ";
  CHECK(emails(s.list_clients(everyone)) == std::vector<std::string>{"b@example.com"});
  // Without the criterion the subscribed are listed too.
  store::ClientQuery all_of_olga;
  all_of_olga.owner = olga;
  CHECK(s.list_clients(all_of_olga).size() == 3);
}
