// Mailings with their summaries (issue 10 point 1): the rules of `mailing list` and `mailing
// show` (mailings.cpp), and the mailing store's summaries, read in one snapshot so that a
// summary never belongs to a mailing the listing does not have.
#include "mailer/core/mailing_summary.hpp"

#include <unordered_map>

#include <fmt/format.h>

#include "mailer/base/error.hpp"
#include "mailer/core/mailings.hpp"

namespace mailer {

std::vector<MailingOverview> list_mailing_overviews(store::Database& db, const Actor& actor, Scope scope) {
  store::Transaction tx(db, false);
  std::vector<Mailing> mailings = list_mailings(db, actor, scope);
  std::unordered_map<Id, MailingSummary> summaries;
  for (MailingSummary& s : db.mailings().summaries(scope.all ? std::nullopt : std::optional<Id>(actor.id)))
    summaries.emplace(s.mailing, std::move(s));
  tx.commit();
  std::vector<MailingOverview> out;
  out.reserve(mailings.size());
  for (Mailing& m : mailings) {
    MailingOverview o{std::move(m), {}};
    auto it = summaries.find(o.mailing.id);
    if (it != summaries.end()) o.summary = std::move(it->second);
    o.summary.mailing = o.mailing.id;
    out.push_back(std::move(o));
  }
  return out;
}

MailingOverview show_mailing_overview(store::Database& db, const Actor& actor, Id id) {
  store::Transaction tx(db, false);
  MailingOverview o{show_mailing(db, actor, id), {}};
  auto s = db.mailings().summary(id);
  if (!s) throw Error(Errc::not_found, fmt::format("mailing {} not found", id));
  o.summary = std::move(*s);
  tx.commit();
  return o;
}

}  // namespace mailer
