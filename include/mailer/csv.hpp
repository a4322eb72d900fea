#pragma once
// RFC 4180 CSV as Excel writes it: UTF-8 with or without BOM, ',' or ';' separators.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mailer::csv {

// One record and the 1-based physical line it starts on (quoted fields may span lines).
struct Record {
  std::size_t line;
  std::vector<std::string> fields;
};

// A parsed document. `delimiter` is detected from the first record (',' or ';', whichever
// occurs more outside quotes; ',' on a tie). A UTF-8 BOM is dropped; CRLF, LF and CR end
// records; empty lines are skipped.
struct Document {
  char delimiter = ',';
  std::vector<Record> records;  // records[0] is the header when there is one
};

// Throws Error{Errc::data, "line N: <what>"} on an unterminated quote or a quote inside an
// unquoted field, or on invalid UTF-8.
Document parse(std::string_view text);

// Quotes a field when it holds the delimiter, a quote, CR or LF, or starts/ends with space.
std::string escape_field(std::string_view field, char delimiter = ',');

// Joins fields with the delimiter and CRLF, each escaped.
std::string format_record(const std::vector<std::string>& fields, char delimiter = ',');

}  // namespace mailer::csv
