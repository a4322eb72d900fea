// The reports' rules (SPEC §2, §4): whose mailings a caller sees, the rates, the period check.
#include <doctest/doctest.h>

#include <string>

#include "mailer/base/error.hpp"
#include "mailer/core/reports.hpp"
#include "store_backends.hpp"
#include "store_runs_seed.hpp"

using namespace mailer;
using test::RunSeed;

namespace {

template <class Backend>
void seed_one_send(Backend& b) {
  b.exec(
      "INSERT INTO run (id, mailing, trigger, scheduled_for, started_at) VALUES (60, 20, 'manual', 100, "
      "100)");
  for (Id c : {31, 32, 33})
    b.exec(
        fmt::format("INSERT INTO run_recipient (run, client, email, name, state, tries) "
                    "SELECT 60, id, email, name, 'done', 1 FROM client WHERE id = {}",
                    c));
  b.db().attempts().add_attempt(NewAttempt{60, 20, 31, "a@example.com", 110, "sent", 250, "250 ok", ""});
  b.db().attempts().add_attempt(NewAttempt{60, 20, 32, "b@example.com", 110, "sent", 250, "250 ok", ""});
  b.db().attempts().add_attempt(NewAttempt{60, 20, 33, "c@example.com", 110, "bounced", 550, "550 no", ""});
  b.exec("INSERT INTO event (attempt, kind, at, run, client) VALUES (1, 'open', 200, 60, 31)");
}

RecipientFilter recipients_of(Id mailing) {
  RecipientFilter f;
  f.mailing = mailing;
  return f;
}

Actor as(Id id, Role role = Role::user) {
  return Actor{id, static_cast<unsigned>(Role::user) | static_cast<unsigned>(role)};
}

}  // namespace

TEST_CASE_TEMPLATE("reports: rates divide by recipients and by sent", Backend, MAILER_STORE_BACKENDS) {
  Backend b;
  RunSeed s = test::seed_mailing(b);
  seed_one_send(b);
  auto rows = mailing_reports(b.db(), as(s.owner), {});
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].delivery_rate == doctest::Approx(2.0 / 3.0));
  CHECK(rows[0].open_rate == doctest::Approx(0.5));
  CHECK(rows[0].click_rate == 0);
  CHECK(rate(1, 0) == 0);
  // Nothing sent yet: 0, not a division by zero.
  b.exec("DELETE FROM attempt");
  b.exec("DELETE FROM run_recipient");
  rows = mailing_reports(b.db(), as(s.owner), {});
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].delivery_rate == 0);
  CHECK(rows[0].open_rate == 0);
}

TEST_CASE_TEMPLATE("reports: a plain user sees only their own mailings; managers see everyone's", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  RunSeed s = test::seed_mailing(b);
  seed_one_send(b);
  ReportFilter all;
  all.all = true;
  CHECK(test::code_of([&] { mailing_reports(b.db(), as(s.other), all); }) == Errc::permission);
  CHECK(test::code_of([&] { stats(b.db(), as(s.other), true); }) == Errc::permission);
  CHECK(mailing_reports(b.db(), as(s.other), {}).empty());
  ReportFilter one;
  one.mailing = RunSeed::kMailing;
  const Error hidden = test::error_of([&] { mailing_reports(b.db(), as(s.other), one); });
  CHECK(hidden.code() == Errc::not_found);
  CHECK(std::string(hidden.what()) == "mailing 20 not found");
  CHECK(test::code_of([&] { recipient_report(b.db(), as(s.other), recipients_of(RunSeed::kMailing)); }) ==
        Errc::not_found);
  CHECK(test::code_of([&] { link_report(b.db(), as(s.other), one); }) == Errc::not_found);
  one.mailing = 999;
  CHECK(test::code_of([&] { mailing_reports(b.db(), as(s.owner), one); }) == Errc::not_found);
  CHECK(mailing_reports(b.db(), as(s.other, Role::manager), all).size() == 1);
  CHECK(recipient_report(b.db(), as(s.other, Role::manager), recipients_of(RunSeed::kMailing)).size() == 3);
  CHECK(stats(b.db(), as(s.other, Role::superuser), true).mailings == 1);
  CHECK(stats(b.db(), as(s.other), false).mailings == 0);
}

TEST_CASE_TEMPLATE("reports: a period that ends before it starts is refused naming both fields", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  RunSeed s = test::seed_mailing(b);
  ReportFilter f;
  f.since = 200;
  f.until = 100;
  const Error e = test::error_of([&] { mailing_reports(b.db(), as(s.owner), f); });
  CHECK(e.code() == Errc::data);
  CHECK(std::string(e.what()) == "since: after `until`");
  f.until = 200;
  CHECK(test::code_of([&] { mailing_reports(b.db(), as(s.owner), f); }) == Errc::ok);
}

TEST_CASE_TEMPLATE("reports: recipients filter by last status and by opens and clicks", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  RunSeed s = test::seed_mailing(b);
  seed_one_send(b);
  auto emails = [&](RecipientFilter f) {
    std::string out;
    for (const auto& r : recipient_report(b.db(), as(s.owner), f)) out += r.email + " ";
    return out;
  };
  RecipientFilter f = recipients_of(RunSeed::kMailing);
  CHECK(emails(f) == "a@example.com b@example.com c@example.com ");
  f.status = "bounced";
  CHECK(emails(f) == "c@example.com ");
  f.status.reset();
  f.engagement = Engagement::opened;
  CHECK(emails(f) == "a@example.com ");
  f.engagement = Engagement::not_opened;
  CHECK(emails(f) == "b@example.com c@example.com ");
  f.engagement = Engagement::clicked;
  CHECK(emails(f).empty());
  f.status = "opened";
  CHECK(test::code_of([&] { recipient_report(b.db(), as(s.owner), f); }) == static_cast<Errc>(64));
}

TEST_CASE_TEMPLATE(
    "reports: bounce events by reason are the owner's, a manager's with all; complaints "
    "stay out of the per-mailing reasons",
    Backend, MAILER_STORE_BACKENDS) {
  Backend b;
  RunSeed s = test::seed_mailing(b);
  seed_one_send(b);
  b.db().bounces().add_bounce_event(
      NewBounceEvent{3, 60, 33, "bounce", 110,
                     R"({"reason":"userunknown","severity":"hard","diagnostic":"550 no"})", "smtp"});
  b.db().bounces().add_bounce_event(
      NewBounceEvent{1, 60, 31, "complaint", 300, R"({"reason":"complaint","diagnostic":"abuse"})", "arf"});
  auto own = bounce_events(b.db(), as(s.owner), {});
  REQUIRE(own.size() == 2);
  CHECK(own[0].reason == "userunknown");
  CHECK(own[0].severity == "hard");
  CHECK(own[1].kind == "complaint");
  CHECK(bounce_events(b.db(), as(s.other), {}).empty());
  ReportFilter all;
  all.all = true;
  CHECK(test::code_of([&] { bounce_events(b.db(), as(s.other), all); }) == Errc::permission);
  CHECK(bounce_events(b.db(), as(s.other, Role::manager), all).size() == 2);
  ReportFilter one;
  one.mailing = RunSeed::kMailing;
  CHECK(test::code_of([&] { bounce_events(b.db(), as(s.other), one); }) == Errc::not_found);
  CHECK(test::code_of([&] { bounce_events_per_mailing(b.db(), as(s.other), one); }) == Errc::not_found);
  auto per = bounce_events_per_mailing(b.db(), as(s.owner), one);
  REQUIRE(per.size() == 1);
  CHECK(per[0].mailing == RunSeed::kMailing);
  CHECK(per[0].reason == "userunknown");
  ReportFilter backwards;
  backwards.since = 200;
  backwards.until = 100;
  CHECK(test::code_of([&] { bounce_events(b.db(), as(s.owner), backwards); }) == Errc::data);
}
