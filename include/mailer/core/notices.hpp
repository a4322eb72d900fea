#pragma once
// The emails of the account commands (verification and reset codes); mail/notice_sender.hpp
// sends them.
#include <optional>
#include <string>

#include "mailer/base/time.hpp"
#include "mailer/core/accounts.hpp"
#include "mailer/core/config.hpp"

namespace mailer {

struct Notice {
  std::string subject;
  std::string body;
};

// The verification email: the exact `mailer user verify EMAIL CODE` command (SPEC §2).
// `waiting_since`: the address's registration was made then and keeps its name and password.
Notice verification_notice(const std::string& email, const std::string& name, const std::string& code,
                           std::optional<Time> waiting_since);

// The reset email: the exact `mailer user reset-password EMAIL --code CODE` command.
Notice reset_notice(const std::string& email, const std::string& code);

}  // namespace mailer
