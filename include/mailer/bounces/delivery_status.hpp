#pragma once
// The fields of a message/delivery-status body part (RFC 3464 §2), parsed by us: GMime finds
// the part, this reads what it says. Pure.
#include <string>
#include <string_view>
#include <vector>

namespace mailer::bounces {

// One per-recipient group. Addresses lose their type ("rfc822;") and angle brackets, the
// diagnostic its type ("smtp;"); continuation lines are unfolded into one line.
struct DsnRecipient {
  std::string final_recipient;
  std::string original_recipient;
  std::string action;      // failed, delayed, delivered, relayed, expanded (lower case)
  std::string status;      // as given ("5.1.1")
  std::string diagnostic;  // Diagnostic-Code without its type
  std::string remote_mta;  // Remote-MTA without its type
};

struct DeliveryStatus {
  std::string reporting_mta;
  std::vector<DsnRecipient> recipients;
};

// Reads the per-message group and every per-recipient group. Tolerates what real servers send:
// CRLF or LF, a missing blank line between groups, unknown fields, leading blank lines.
DeliveryStatus parse_delivery_status(std::string_view text);

// Unfolded header-style fields of `text` in order: name (lower case) and value (trimmed); a
// blank line between groups is a Field with an empty name. A line that is no field is skipped.
struct Field {
  std::string name;
  std::string value;
};
std::vector<Field> parse_fields(std::string_view text);

}  // namespace mailer::bounces
