#pragma once
// Messages: the subject and bodies a mailing sends, each a template (SPEC §1, §2).
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "mailer/base/ids.hpp"
#include "mailer/base/records/messages.hpp"
#include "mailer/base/time.hpp"
#include "mailer/core/access.hpp"
#include "mailer/store/database.hpp"

namespace mailer {

// Input caps, so that a message cannot make every copy of a run huge (subject: RFC 2047
// words of a 900-byte subject still fit a header comfortably).
inline constexpr std::size_t kMaxSubjectBytes = 900;
inline constexpr std::size_t kMaxBodyBytes = std::size_t{1} << 20;  // 1 MiB, text and HTML each

struct MessageChanges {
  std::optional<std::string> subject, body_text;
  std::optional<std::string> body_html;  // set: replace
  bool drop_html = false;
};

// add and edit check the whole message: caps, UTF-8, one header line for the subject, and
// each template (template.hpp). `unsubscribe_available` says whether copies will carry an
// unsubscribe link (the caller knows whether tracking.base_url is set); without one a
// template that uses {{unsubscribe_url}} is refused rather than sent with an empty link.
Message add_message(store::Database& db, const Actor& actor, const std::string& subject,
                    const std::string& body_text, const std::optional<std::string>& body_html, Time now,
                    bool unsubscribe_available = true);
std::vector<Message> list_messages(store::Database& db, const Actor& actor, Scope scope);
Message show_message(store::Database& db, const Actor& actor, Id id);
Message edit_message(store::Database& db, const Actor& actor, Id id, const MessageChanges& changes,
                     bool unsubscribe_available = true);
// Removes all or none; a message a mailing uses is refused.
void remove_messages(store::Database& db, const Actor& actor, const std::vector<Id>& ids);

}  // namespace mailer
