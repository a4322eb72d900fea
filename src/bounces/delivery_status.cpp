// RFC 3464 §2.2-2.3: the delivery-status fields, as header lines in groups.
#include "mailer/bounces/delivery_status.hpp"

#include "ascii.hpp"

#include <algorithm>
#include <cctype>

namespace mailer::bounces {
namespace {

using ascii::lower;
using ascii::trim;

// "rfc822; <a@b>" -> "a@b"; "smtp; 550 ..." -> "550 ...": the part after the type, when the
// text before the first ';' is one word (an address type, a diagnostic type, "dns").
std::string_view without_type(std::string_view value) {
  std::size_t semi = value.find(';');
  if (semi == std::string_view::npos) return trim(value);
  std::string_view type = trim(value.substr(0, semi));
  bool word = !type.empty() && std::all_of(type.begin(), type.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
  });
  return word ? trim(value.substr(semi + 1)) : trim(value);
}

std::string address_of(std::string_view value) {
  std::string_view a = without_type(value);
  std::size_t open = a.find('<');
  if (open != std::string_view::npos) {
    std::size_t close = a.find('>', open);
    if (close != std::string_view::npos) a = a.substr(open + 1, close - open - 1);
  }
  return std::string(trim(a));
}

bool is_field_name(std::string_view name) {
  return !name.empty() &&
         std::all_of(name.begin(), name.end(), [](char c) { return c > ' ' && c < 127 && c != ':'; });
}

}  // namespace

std::vector<Field> parse_fields(std::string_view text) {
  std::vector<Field> fields;
  bool in_field = false;  // whether a continuation line extends the last field
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim(line).empty()) {
      if (!fields.empty() && !fields.back().name.empty()) fields.push_back({});
      in_field = false;
      continue;
    }
    if ((line.front() == ' ' || line.front() == '\t') && in_field) {
      std::string& value = fields.back().value;
      std::string_view more = trim(line);
      if (!value.empty()) value += ' ';
      value.append(more);
      continue;
    }
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || !is_field_name(trim(line.substr(0, colon)))) {
      in_field = false;
      continue;
    }
    fields.push_back({lower(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1)))});
    in_field = true;
  }
  while (!fields.empty() && fields.back().name.empty()) fields.pop_back();
  return fields;
}

DeliveryStatus parse_delivery_status(std::string_view text) {
  DeliveryStatus result;
  DsnRecipient current;
  bool open = false;  // whether `current` holds a per-recipient field
  auto close = [&] {
    if (open && !(current.final_recipient.empty() && current.original_recipient.empty()))
      result.recipients.push_back(std::move(current));
    current = {};
    open = false;
  };
  for (const Field& f : parse_fields(text)) {
    const std::string& n = f.name;
    if (n.empty()) {
      close();
    } else if (n == "reporting-mta") {
      result.reporting_mta = std::string(without_type(f.value));
    } else if (n == "final-recipient") {
      if (!current.final_recipient.empty()) close();
      current.final_recipient = address_of(f.value);
      open = true;
    } else if (n == "original-recipient") {
      // Before or after Final-Recipient in the same group; a second one, or one after the
      // group's Action or Status, opens the next recipient.
      if (!current.original_recipient.empty() || !current.action.empty() || !current.status.empty()) close();
      current.original_recipient = address_of(f.value);
      open = true;
    } else if (n == "action") {
      current.action = lower(trim(f.value));
      open = true;
    } else if (n == "status") {
      current.status = std::string(trim(f.value));
      open = true;
    } else if (n == "diagnostic-code") {
      current.diagnostic = std::string(without_type(f.value));
      open = true;
    } else if (n == "remote-mta") {
      current.remote_mta = std::string(without_type(f.value));
      open = true;
    }
  }
  close();
  // A recipient known only by its Original-Recipient is still that recipient.
  for (DsnRecipient& r : result.recipients)
    if (r.final_recipient.empty()) r.final_recipient = r.original_recipient;
  return result;
}

}  // namespace mailer::bounces
