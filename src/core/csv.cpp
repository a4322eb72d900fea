// CSV as Excel writes it. Russian Excel separates with ';' (the comma is the decimal mark
// there) and "CSV UTF-8" adds a BOM, so both are accepted without asking the user.
#include "mailer/csv.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "mailer/error.hpp"
#include "mailer/validate.hpp"

namespace mailer::csv {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// The hint points at Excel's menu item, in both languages, since that is where the file
// came from; the usual culprit is the plain "CSV" type, which writes Windows-1251.
constexpr const char* kSaveAsUtf8 =
    "in Excel choose Save As -> \"CSV UTF-8 (comma delimited)\" "
    "(Сохранить как -> «CSV UTF-8 (разделитель — запятая)»)";

[[noreturn]] void fail(std::size_t line, std::string_view what, std::string hint) {
  throw Error(Errc::data, "line " + std::to_string(line) + ": " + std::string(what),
              std::move(hint));
}

// Only called once the text is known to be ill-formed: finds the physical line to report.
// Line ends are ASCII and cannot sit inside a multi-byte sequence, so per-line checks agree
// with the check of the whole text.
std::size_t line_of_invalid_utf8(std::string_view text) {
  std::size_t line = 1;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] != '\n' && text[i] != '\r') continue;
    if (!is_valid_utf8(text.substr(start, i - start))) return line;
    if (i + 1 < text.size() && text[i] == '\r' && text[i + 1] == '\n') ++i;
    ++line;
    start = i + 1;
  }
  return line;
}

// ';' wins only when the first record holds more of them than commas outside quotes, so a
// one-column file or a comma file with a ';' in a name stays ','.
char detect_delimiter(std::string_view s) {
  std::size_t commas = 0;
  std::size_t semicolons = 0;
  bool quoted = false;
  for (std::size_t i = s.find_first_not_of("\r\n"); i < s.size(); ++i) {
    const char c = s[i];
    // A doubled quote toggles twice and leaves the state as it was, which is what it means.
    if (c == '"') {
      quoted = !quoted;
    } else if (!quoted) {
      if (c == ',') ++commas;
      if (c == ';') ++semicolons;
      if (c == '\r' || c == '\n') break;
    }
  }
  return semicolons > commas ? ';' : ',';
}

}  // namespace

Document parse(std::string_view s) {
  if (s.starts_with("\xFF\xFE") || s.starts_with("\xFE\xFF")) {
    fail(1, "the file is in UTF-16, not UTF-8", kSaveAsUtf8);
  }
  if (s.starts_with(kBom)) s.remove_prefix(kBom.size());
  // A separate pass keeps the field loops free of decoding; it costs a few ms per 100k rows,
  // far less than allocating the fields.
  if (!is_valid_utf8(s)) fail(line_of_invalid_utf8(s), "invalid UTF-8", kSaveAsUtf8);

  Document doc;
  doc.delimiter = detect_delimiter(s);
  const char delim = doc.delimiter;

  // Bytes that end a run of field text: outside quotes, and inside quotes.
  std::array<bool, 256> ends_plain{};
  std::array<bool, 256> ends_quoted{};
  for (unsigned char c : {'"', '\r', '\n'}) ends_plain[c] = ends_quoted[c] = true;
  ends_plain[static_cast<unsigned char>(delim)] = true;
  const auto at = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };

  doc.records.reserve(static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')) + 1);
  const std::size_t n = s.size();
  std::size_t pos = 0;
  std::size_t line = 1;
  std::size_t width = 0;  // fields in the previous record: the likely size of the next one

  const auto skip_line_end = [&] {
    if (s[pos] == '\r' && pos + 1 < n && s[pos + 1] == '\n') ++pos;
    ++pos;
    ++line;
  };

  while (pos < n) {
    if (s[pos] == '\r' || s[pos] == '\n') {
      skip_line_end();
      continue;
    }
    Record& record = doc.records.emplace_back(Record{line, {}});
    record.fields.reserve(width);
    while (true) {
      if (pos < n && s[pos] == '"') {
        const std::size_t opened_on = line;
        std::string& field = record.fields.emplace_back();
        // Text is copied in chunks between doubled quotes, so a field without them is one
        // append. Line ends inside quotes are kept as written and counted.
        std::size_t chunk = ++pos;
        while (true) {
          while (pos < n && !ends_quoted[at(pos)]) ++pos;
          if (pos == n) {
            fail(opened_on, "unterminated quoted field",
                 "a field that starts with '\"' must end with '\"'; write a quote inside it as "
                 "\"\"");
          }
          if (s[pos] == '"') {
            if (pos + 1 < n && s[pos + 1] == '"') {
              field.append(s.data() + chunk, pos + 1 - chunk);
              pos += 2;
              chunk = pos;
              continue;
            }
            field.append(s.data() + chunk, pos - chunk);
            ++pos;
            break;
          }
          skip_line_end();
        }
        if (pos < n && s[pos] != delim && s[pos] != '\r' && s[pos] != '\n') {
          fail(line, "unexpected text after a closing quote",
               "a quoted field must end at the delimiter; write a quote inside it as \"\"");
        }
      } else {
        const std::size_t start = pos;
        while (pos < n && !ends_plain[at(pos)]) ++pos;
        if (pos < n && s[pos] == '"') {
          fail(line, "stray quote in an unquoted field",
               "put the whole field in quotes and double the quote inside: \"ab\"\"c\"");
        }
        record.fields.emplace_back(s.data() + start, pos - start);
      }
      if (pos == n) break;
      if (s[pos] == delim) {
        ++pos;
        continue;
      }
      skip_line_end();
      break;
    }
    width = record.fields.size();
  }
  return doc;
}

std::string escape_field(std::string_view field, char delimiter) {
  const char special[] = {delimiter, '"', '\r', '\n'};
  const bool quote =
      field.find_first_of(std::string_view(special, sizeof special)) != std::string_view::npos ||
      (!field.empty() && (field.front() == ' ' || field.back() == ' '));
  if (!quote) return std::string(field);
  std::string out;
  out.reserve(field.size() + 2);
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string format_record(const std::vector<std::string>& fields, char delimiter) {
  std::string out;
  // A record of one empty field would be an empty line, which parse() skips.
  if (fields.size() == 1 && fields[0].empty()) return "\"\"\r\n";
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += delimiter;
    out += escape_field(fields[i], delimiter);
  }
  out += "\r\n";
  return out;
}

}  // namespace mailer::csv
