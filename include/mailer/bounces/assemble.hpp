#pragma once
// From the parts of a message, as the MIME reader (mime.hpp, on GMime) hands them over, to
// what the message reports. Pure: the decisions are here, the MIME is elsewhere.
#include <string>
#include <vector>

#include "mailer/bounces/report.hpp"

namespace mailer::bounces {

struct MessageParts {
  bool is_message = false;  // whether the bytes parse as a message with headers at all
  // The top-level headers that tell a report from an auto-reply (decoded, UTF-8).
  std::string subject, from, return_path, auto_submitted, precedence;
  bool autoreply_header = false;             // X-Autoreply, X-Autorespond, X-Autoresponse
  std::string report_type;                   // multipart/report's report-type parameter, lower case
  std::vector<std::string> delivery_status;  // every message/delivery-status body
  std::string feedback_report;               // a message/feedback-report body
  std::string text;                          // the text parts before the original, UTF-8
  std::string original_headers;              // the original's headers (message/rfc822 or text/rfc822-headers)
};

// Bounce (the failures of a delivery-status part, or of the free text when there is none),
// complaint, auto-reply or no bounce, with the why of the last two.
Report assemble(const MessageParts& parts);

}  // namespace mailer::bounces
