#pragma once
// Aligned tables and JSON objects for the records of SPEC §1.
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
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

// How a report prints: an aligned table, or CSV for a spreadsheet (--json is global).
struct ReportFormat {
  std::string format = "table";  // table | csv
  std::string delimiter = ",";   // , or ; (Excel in locales whose decimal mark is a comma)
  bool csv() const { return format == "csv"; }
  char separator() const { return delimiter.empty() ? ',' : delimiter.front(); }
};
// Adds --format and --delimiter to a report command.
void add_report_format(CLI::App& cmd, ReportFormat& format);

// CSV that Excel opens as UTF-8: a BOM, the header row, CRLF line ends, RFC 4180 quoting.
// Text cells (`text[i]` true) that a spreadsheet would run as a formula get a leading '.
std::string render_csv(const std::vector<std::string>& header,
                       const std::vector<std::vector<std::string>>& rows, const std::vector<bool>& text,
                       char delimiter);
// A fraction for CSV: "0.25", or "0,25" with the ';' delimiter (the decimal mark of the
// locales whose Excel wants ';').
std::string csv_decimal(double value, char delimiter);
// Time for CSV: "2026-11-24 09:00:05" local ("" when unset), which spreadsheets read as a time.
std::string csv_time(const std::optional<Time>& t);
// A fraction for tables: "25.0%".
std::string percent(double value);

// Standard output is a terminal; and colour is wanted there (NO_COLOR unset).
bool stdout_is_terminal();
bool colour_on_stdout();
// The terminal's width in columns (80 when unknown).
std::size_t terminal_columns();

nlohmann::json to_json(const User& user);
nlohmann::json to_json(const Client& client);
nlohmann::json to_json(const Group& group);
nlohmann::json to_json(const Message& message);
nlohmann::json to_json(const Mailing& mailing);
// A mailing with what `mailing list` and `show` add: subject, recipient_count, last_run.
nlohmann::json to_json(const Mailing& mailing, const MailingSummary& summary);

}  // namespace mailer::cli
