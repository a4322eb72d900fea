#pragma once
// Aligned tables and JSON objects for the records of SPEC §1.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mailer/base/records/clients.hpp"
#include "mailer/base/records/mailings.hpp"
#include "mailer/base/records/messages.hpp"
#include "mailer/core/users.hpp"

namespace mailer::cli {

// Columns padded to the widest cell by display width (Cyrillic counts one column a letter).
class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  bool empty() const { return rows_.empty(); }
  std::string render() const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// Key: value lines for `show`.
std::string render_fields(const std::vector<std::pair<std::string, std::string>>& fields);

// Time for tables ("" when unset) and for JSON (ISO 8601 with offset, or null).
std::string table_time(const std::optional<Time>& t);
nlohmann::json json_time(const std::optional<Time>& t);

// Cuts a string to `width` display columns, ending with "…" when cut.
std::string ellipsize(const std::string& text, std::size_t width);

nlohmann::json to_json(const User& user);
nlohmann::json to_json(const Client& client);
nlohmann::json to_json(const Group& group);
nlohmann::json to_json(const Message& message);
nlohmann::json to_json(const Mailing& mailing);
// A mailing with what `mailing list` and `show` add: subject, recipient_count, last_run.
nlohmann::json to_json(const Mailing& mailing, const MailingSummary& summary);

}  // namespace mailer::cli
