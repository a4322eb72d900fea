#pragma once
// Clients (recipients) of a user (SPEC §1, §2): one at a time; import is client_import.hpp.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailer/base/ids.hpp"
#include "mailer/base/records/clients.hpp"
#include "mailer/base/time.hpp"
#include "mailer/core/access.hpp"
#include "mailer/store/database.hpp"

namespace mailer {

struct ClientFilter {
  std::optional<std::string> group;
  // Substring of email, name or comment, ignoring case in any script and ё/е.
  std::optional<std::string> search;
  bool all = false;
  bool unsubscribed = false;  // only those who unsubscribed
  bool suppressed = false;    // only those whose address bounces suppressed
};

// What an edit does to a client's subscription.
enum class Subscription {
  keep,
  // Clears an unsubscribe: the client's owner only, whatever their roles (the recipient's
  // consent was given to them).
  resubscribe,
  // Records an unsubscribe made outside mailer (a phone call, a letter), its way "cli".
  unsubscribe,
};

struct ClientChanges {
  std::optional<std::string> email, name, comment;
  Subscription subscription = Subscription::keep;
  // Lifts a suppression by bounces: the client's owner only, as for a resubscribe.
  bool unsuppress = false;
};

// What an edit did: the client as it is now, and whether a subscription change was asked
// for but the client was so already (nothing to do for it: a note, not an error).
struct ClientEdit {
  Client client;
  bool subscription_unchanged = false;
  bool suppression_unchanged = false;  // an unsuppress of a client that was not suppressed
};

// Caps of what a client holds (bytes of UTF-8).
constexpr std::size_t kMaxClientName = 200;
constexpr std::size_t kMaxClientComment = 2000;

// Checks a name and comment as every way in does (add, edit, import): the caps, UTF-8, no
// control characters (a comment may hold line breaks and TABs, a name TABs).
void check_client_fields(std::string_view name, std::string_view comment);

// Adds a client (blanks around name and comment dropped, as import does); `groups` are
// created when missing. An address that is taken, ignoring case (Unicode) and comparing IDN
// domains as A-labels: Error{data}.
Client add_client(store::Database& db, const Actor& actor, const std::string& email, const std::string& name,
                  const std::string& comment, const std::vector<std::string>& groups, Time now);
std::vector<Client> list_clients(store::Database& db, const Actor& actor, const ClientFilter& filter);
Client show_client(store::Database& db, const Actor& actor, Id id);
// Changes the fields (changes.subscription must be keep and unsuppress false: both need a time).
Client edit_client(store::Database& db, const Actor& actor, Id id, const ClientChanges& changes);
// Changes the fields and the subscription; an unsubscribe is dated `now`. A resubscribe by
// anyone but the owner: Error{permission} (a plain user's foreign client: Error{not_found});
// the same for an unsuppress, which notes `now` (soft bounces before it no longer count).
ClientEdit edit_client(store::Database& db, const Actor& actor, Id id, const ClientChanges& changes,
                       Time now);
// Removes all or none.
void remove_clients(store::Database& db, const Actor& actor, const std::vector<Id>& ids);

// Writes CSV (header email,name,comment; CRLF) of the caller's clients, or of one group's, to
// `write` one row at a time as they are read. Cells a spreadsheet would run as a formula get
// a leading ' unless `raw` (csv::defuse_formula).
void export_clients(store::Database& db, const Actor& actor, const std::optional<std::string>& group,
                    bool raw, const std::function<void(std::string_view)>& write);
// The same CSV as one string (small exports, tests).
std::string export_clients(store::Database& db, const Actor& actor, const std::optional<std::string>& group);

}  // namespace mailer
