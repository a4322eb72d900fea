#pragma once
// The plain record of a message (SPEC §1): the subject and bodies a mailing sends, as the
// message store reads and writes them and core returns them.
#include <optional>
#include <string>

#include "mailer/base/ids.hpp"
#include "mailer/base/time.hpp"

namespace mailer {

struct Message {
  Id id = 0;
  Id owner = 0;
  std::string owner_email;
  std::string subject;
  std::string body_text;
  std::optional<std::string> body_html;
  Time created_at = 0;
};

}  // namespace mailer
