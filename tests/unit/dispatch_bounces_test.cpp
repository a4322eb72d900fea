// A 5xx to RCPT counts as a mailed report (SPEC §3; issue 12, item 5): classified from the
// reply and recorded with the attempt, it suppresses a dead address at once and a full mailbox
// after bounces.soft_limit sends in a row; later runs leave a suppressed client out.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "dispatch_world.hpp"
#include "mailer/core/suppression.hpp"

using namespace mailer;
using test::c;
using test::DispatchWorld;
using test::kT0;
using test::Reply;

namespace {

std::optional<std::string> suppressed_reason(DispatchWorld& w, Id client) {
  return w.db.clients().client(client)->suppressed_reason;
}

}  // namespace

TEST_CASE("dispatch: a 550 5.1.1 at RCPT records a hard bounce and suppresses the client for good") {
  DispatchWorld w;
  auto ids = w.clients(2);
  w.mailing(ids);
  w.server.script(c(1), {Reply::no_such_user});
  SendSummary s = w.due(kT0);
  CHECK(s.bounced == 1);
  CHECK(s.sent == 1);
  CHECK(w.attempts(c(1)) == std::vector<std::string>{"bounced"});
  CHECK(suppressed_reason(w, ids[0]) == "userunknown");
  CHECK(w.db.clients().client(ids[0])->suppressed_at == kT0);
  CHECK_FALSE(w.db.clients().client(ids[1])->suppressed_at);
  auto detail = nlohmann::json::parse(
      w.one_text("SELECT e.detail FROM event e JOIN attempt a ON a.id = e.attempt WHERE a.email = ? AND "
                 "e.kind = 'bounce'",
                 c(1)));
  CHECK(detail["reason"] == "userunknown");
  CHECK(detail["status"] == "5.1.1");
  CHECK(detail["severity"] == "hard");
  CHECK(detail["source"] == "smtp");
  CHECK(detail["diagnostic"] == "550 5.1.1 No such user");
  // The next mailing to both sends to the second only.
  w.mailing(ids);
  SendSummary next = w.due(kT0 + 60);
  CHECK(next.total == 1);
  CHECK(next.sent == 1);
  CHECK(w.server.delivered.size() == 3);
  CHECK(w.attempts(c(1)) == std::vector<std::string>{"bounced"});
}

TEST_CASE("dispatch: a 552 5.2.2 at RCPT is a soft bounce: suppressed after soft_limit in a row") {
  DispatchWorld w;
  w.config.bounces_soft_limit = 2;
  auto ids = w.clients(1);
  w.server.script(c(1), {Reply::mailbox_full, Reply::accepted, Reply::mailbox_full, Reply::mailbox_full});
  Time t = kT0;
  auto send_once = [&] {
    w.mailing(ids);
    t += 60;
    return w.due(t);
  };
  CHECK(send_once().bounced == 1);
  CHECK_FALSE(suppressed_reason(w, ids[0]));
  CHECK(send_once().sent == 1);  // a delivery in between
  CHECK(send_once().bounced == 1);
  CHECK_FALSE(suppressed_reason(w, ids[0]));
  CHECK(send_once().bounced == 1);
  CHECK(suppressed_reason(w, ids[0]) == "soft bounces: mailboxfull ×2");
  CHECK(send_once().total == 0);
  CHECK(w.server.delivered.size() == 4);
  CHECK(w.attempts(c(1)) == std::vector<std::string>{"bounced", "sent", "bounced", "bounced"});
  CHECK(w.one_int("SELECT count(*) FROM event WHERE kind = 'bounce'") == 3);
}
