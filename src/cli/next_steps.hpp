#pragma once
// Core and mail name the request that gets the user further (an error's NextStep, a send
// note's Then); these are the words for it, with this CLI's commands.
#include <string>

#include "mailer/base/error.hpp"
#include "mailer/mail/dispatch.hpp"

namespace mailer::cli {

// The hint of an error: its own when it has no next step, else that step as a command.
std::string hint_of(const Error& error);

// A send note's line: its text, and the command that takes the run up again.
std::string note_line(const SendNote& note);

}  // namespace mailer::cli
