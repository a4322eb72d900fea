// The attempt log: every try with the server's reply (SPEC §1 attempt, §2 report attempts).
#include "mailer/core/attempts.hpp"

#include <fmt/format.h>

#include "mailer/base/error.hpp"

namespace mailer {

std::vector<Attempt> list_attempts(store::Database& db, const Actor& actor, const AttemptFilter& filter) {
  check_list_all(actor, filter.all);
  if (filter.mailing) {
    auto owner = db.mailings().owner_of(*filter.mailing);
    if (!owner) throw Error(Errc::not_found, fmt::format("mailing {} not found", *filter.mailing));
    check_record(actor, *owner, RecordAction::read, fmt::format("mailing {}", *filter.mailing));
  }
  if (filter.status && *filter.status != "sent" && *filter.status != "failed" &&
      *filter.status != "deferred" && *filter.status != "bounced")
    throw Error(Errc::bad_request, fmt::format("status: unknown status '{}'", *filter.status),
                "use sent, bounced, deferred or failed");
  store::AttemptQuery query;
  if (!filter.all && !filter.mailing) query.owner = actor.id;
  query.mailing = filter.mailing;
  query.status = filter.status;
  query.since = filter.since;
  query.email = filter.email;
  query.final = filter.final;
  return db.attempts().list_attempts(query);
}

}  // namespace mailer
