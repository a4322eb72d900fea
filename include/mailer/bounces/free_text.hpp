#pragma once
// The human-readable part of a bounce, for the reports that carry no message/delivery-status
// (Exim, qmail, Gmail, mail.ru, OpenSMTPD, Exchange, Postfix and Sendmail without DSN): the
// failed addresses and the words said about each. Pure.
#include <string>
#include <string_view>
#include <vector>

namespace mailer::bounces {

struct TextFailure {
  std::string recipient;
  std::string status;      // from the text ("5.1.1", or "5.0.0" from a bare 550), may be empty
  std::string diagnostic;  // the lines said about the address, joined into one
};

// The addresses the report lists, each once, in order. `text` is the report's text, UTF-8,
// up to the copy of the original message or including it (the copy is cut off here).
std::vector<TextFailure> parse_free_text(std::string_view text);

// Whether the text says the failure is permanent (5), temporary (4), or neither (0).
int permanence_hint(std::string_view text);

}  // namespace mailer::bounces
