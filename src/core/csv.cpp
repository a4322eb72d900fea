// CSV as Excel writes it. Russian Excel separates with ';' (the comma is the decimal mark
// there), "CSV UTF-8" adds a BOM and plain "CSV" writes Windows-1251, so all of these are
// accepted without asking the user. The reader streams: it holds one block of input and the
// record being read, whatever the file's size.
#include "mailer/core/csv.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

#include "cp1251.hpp"
#include "mailer/base/error.hpp"
#include "mailer/base/utf8.hpp"

namespace mailer::csv {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr std::size_t kBlock = 64 * 1024;
// How much text after the first non-ASCII byte the encoding is decided on.
constexpr std::size_t kSample = 4096;
constexpr std::string_view kFormulaStarts = "=+-@\t\r";

// The hint points at Excel's menu item, in both languages, since that is where the file
// came from.
constexpr const char* kSaveAsUtf8 =
    "in Excel choose Save As -> \"CSV UTF-8 (comma delimited)\" "
    "(Сохранить как -> «CSV UTF-8 (разделитель — запятая)»), or give `encoding` cp1251 for a "
    "Windows-1251 file";

[[noreturn]] void fail(std::size_t line, std::string_view what, std::string hint) {
  throw Error(Errc::data, "line " + std::to_string(line) + ": " + std::string(what), std::move(hint));
}

// ';' wins only when the first record holds more of them than commas outside quotes, so a
// one-column file or a comma file with a ';' in a name stays ','. nullopt: the first record
// does not end within `s` and more text may follow.
std::optional<char> detect_delimiter(std::string_view s, bool at_end) {
  std::size_t commas = 0;
  std::size_t semicolons = 0;
  bool quoted = false;
  std::size_t i = s.find_first_not_of("\r\n");
  for (; i < s.size(); ++i) {
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
  if (i >= s.size() && !at_end) return std::nullopt;
  return semicolons > commas ? ';' : ',';
}

// "64 KiB", "1 MiB": a cap as the messages name it.
std::string size_text(std::size_t bytes) {
  if (bytes % (1024 * 1024) == 0) return std::to_string(bytes / (1024 * 1024)) + " MiB";
  if (bytes % 1024 == 0) return std::to_string(bytes / 1024) + " KiB";
  return std::to_string(bytes) + " bytes";
}

// The physical line of offset `at` in a record that starts on `line` at `begin`.
std::size_t line_at(std::string_view s, std::size_t begin, std::size_t at, std::size_t line) {
  for (std::size_t i = begin; i < at; ++i) {
    if (s[i] == '\n' || (s[i] == '\r' && (i + 1 >= s.size() || s[i + 1] != '\n'))) ++line;
  }
  return line;
}

}  // namespace

std::string_view to_string(Encoding encoding) {
  return encoding == Encoding::cp1251 ? "windows-1251" : "utf-8";
}

std::size_t StringSource::read(char* buffer, std::size_t size) {
  const std::size_t n = std::min(size, text_.size());
  std::memcpy(buffer, text_.data(), n);
  text_.remove_prefix(n);
  return n;
}

Reader::Reader(Source& source, Encoding encoding, Limits limits)
    : source_(source), encoding_(encoding), limits_(limits) {
  if (encoding_ == Encoding::cp1251) decoder_ = std::make_unique<Cp1251Decoder>();
}

Reader::~Reader() = default;

// The first block decides what the file is: a byte-order mark says UTF-8 (or UTF-16, which
// is refused), and the encoding may be decided at once.
void Reader::read_first_block() {
  read_any_ = true;
  std::size_t n = 0;
  // At least the three bytes of a BOM, unless the input is shorter.
  while (n < kBom.size()) {
    const std::size_t got = source_.read(raw_.data() + n, raw_.size() - n);
    if (got == 0) break;
    n += got;
  }
  raw_.resize(n);
  if (raw_.starts_with("\xFF\xFE") || raw_.starts_with("\xFE\xFF"))
    fail(1, "the file is in UTF-16, not UTF-8", kSaveAsUtf8);
  if (raw_.starts_with(kBom)) {
    if (encoding_ == Encoding::cp1251)
      fail(1, "the file is UTF-8 (it starts with a byte-order mark), not Windows-1251",
           "leave out `encoding` cp1251, or give `encoding` utf-8");
    raw_.erase(0, kBom.size());
    encoding_ = Encoding::utf8;
    if (raw_.empty()) {
      raw_.resize(kBlock);
      raw_.resize(source_.read(raw_.data(), kBlock));
    }
  }
}

// Decides between UTF-8 and Windows-1251 on the text from the first non-ASCII byte, reading
// a little more first when the block ends right after it. ASCII is the same in both, so the
// records already read stay what they were.
void Reader::decide(std::size_t first) {
  bool at_end = false;
  while (raw_.size() - first < kSample) {
    const std::size_t old = raw_.size();
    raw_.resize(old + kSample);
    const std::size_t got = source_.read(raw_.data() + old, kSample);
    raw_.resize(old + got);
    if (got == 0) {
      at_end = true;
      break;
    }
  }
  std::string_view sample = std::string_view(raw_).substr(first);
  if (!at_end) {
    // A character cut at the end of the sample is not an error.
    std::size_t lead = sample.size();
    for (std::size_t k = 0;
         k < 3 && lead > 0 && (static_cast<unsigned char>(sample[lead - 1]) & 0xC0) == 0x80; ++k)
      --lead;
    if (lead > 0 && static_cast<unsigned char>(sample[lead - 1]) >= 0xC0) sample = sample.substr(0, lead - 1);
  }
  if (utf8::find_invalid(sample) == std::string_view::npos || !looks_like_cp1251(sample)) {
    encoding_ = Encoding::utf8;  // what is not UTF-8 is then reported with its line
  } else {
    encoding_ = Encoding::cp1251;
    decoder_ = std::make_unique<Cp1251Decoder>();
  }
}

// Appends a block of input, decoded, to the text not yet consumed; false at the end.
bool Reader::fill() {
  if (eof_) return false;
  if (pos_ > 0) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  raw_.resize(kBlock);
  if (!read_any_) {
    read_first_block();
  } else {
    raw_.resize(source_.read(raw_.data(), kBlock));
  }
  if (raw_.empty()) {
    eof_ = true;
    return false;
  }
  if (encoding_ == Encoding::detect) {
    const auto it =
        std::find_if(raw_.begin(), raw_.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
    if (it != raw_.end()) decide(static_cast<std::size_t>(it - raw_.begin()));
  }
  if (decoder_) {
    decoder_->append(raw_, buf_);
  } else {
    buf_ += raw_;
  }
  return true;
}

void Reader::start() {
  while (true) {
    if (auto d = detect_delimiter(std::string_view(buf_).substr(pos_), eof_)) {
      delimiter_ = *d;
      break;
    }
    if (buf_.size() - pos_ > limits_.record)
      fail(line_, "a record longer than " + size_text(limits_.record), "is this a CSV file?");
    fill();
  }
  // Bytes that end a run of field text: outside quotes, and inside quotes.
  for (unsigned char c : {'"', '\r', '\n'}) ends_plain_[c] = ends_quoted_[c] = true;
  ends_plain_[static_cast<unsigned char>(delimiter_)] = true;
  started_ = true;
}

void Reader::check_text(std::size_t begin, std::size_t end, std::size_t line) const {
  const std::string_view record = std::string_view(buf_).substr(begin, end - begin);
  const std::size_t bad = utf8::find_invalid(record);
  if (bad == std::string_view::npos) return;
  const std::size_t where = line_at(buf_, begin, begin + bad, line);
  if (encoding_ == Encoding::cp1251)
    fail(where, "a byte that is no Windows-1251 character (0x98)", "is the file really in Windows-1251?");
  fail(where, "invalid UTF-8", kSaveAsUtf8);
}

// Parses one record from pos_. `more`: the text ends inside it and more input may follow;
// nothing is consumed then, and the record is parsed again from its start after fill().
Reader::Step Reader::parse(Record& record) {
  const std::size_t n = buf_.size();
  const char* s = buf_.data();
  const auto at = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const char delim = delimiter_;
  std::size_t p = pos_;
  std::size_t line = line_;
  // A CR that ends the text may be the first half of a CRLF.
  const auto line_end_cut = [&] { return s[p] == '\r' && p + 1 == n && !eof_; };
  const auto skip_line_end = [&] {
    if (s[p] == '\r' && p + 1 < n && s[p + 1] == '\n') ++p;
    ++p;
    ++line;
  };

  while (p < n && (s[p] == '\r' || s[p] == '\n')) {
    if (line_end_cut()) break;
    skip_line_end();
  }
  pos_ = p;
  line_ = line;
  if (p == n) return eof_ ? Step::end : Step::more;
  if (line_end_cut()) return Step::more;

  const std::size_t begin = p;
  const std::size_t first_line = line;
  std::size_t count = 0;
  while (true) {
    if (count == limits_.fields)
      fail(first_line, "more than " + std::to_string(limits_.fields) + " fields in a record",
           "is this a CSV file?");
    if (count == record.fields.size()) record.fields.emplace_back();
    std::string& field = record.fields[count++];
    field.clear();
    if (p < n && s[p] == '"') {
      const std::size_t opened_on = line;
      // Text is copied in chunks between doubled quotes, so a field without them is one
      // append. Line ends inside quotes are kept as written and counted.
      std::size_t chunk = ++p;
      while (true) {
        while (p < n && !ends_quoted_[at(p)]) ++p;
        if (p == n) {
          if (!eof_) return Step::more;
          fail(opened_on, "unterminated quoted field",
               "a field that starts with '\"' must end with '\"'; write a quote inside it as \"\"");
        }
        if (s[p] == '"') {
          if (p + 1 == n && !eof_) return Step::more;
          if (p + 1 < n && s[p + 1] == '"') {
            field.append(s + chunk, p + 1 - chunk);
            p += 2;
            chunk = p;
            continue;
          }
          field.append(s + chunk, p - chunk);
          ++p;
          break;
        }
        if (line_end_cut()) return Step::more;
        skip_line_end();
      }
      if (p == n && !eof_) return Step::more;
      if (p < n && s[p] != delim && s[p] != '\r' && s[p] != '\n') {
        fail(line, "unexpected text after a closing quote",
             "a quoted field must end at the delimiter; write a quote inside it as \"\"");
      }
    } else {
      const std::size_t start = p;
      while (p < n && !ends_plain_[at(p)]) ++p;
      if (p == n && !eof_) return Step::more;
      if (p < n && s[p] == '"') {
        fail(line, "stray quote in an unquoted field",
             "put the whole field in quotes and double the quote inside: \"ab\"\"c\"");
      }
      field.assign(s + start, p - start);
    }
    if (field.size() > limits_.field)
      fail(line, "a field longer than " + size_text(limits_.field),
           "fields are addresses, names and comments; is this the right file?");
    if (p == n) break;
    if (s[p] == delim) {
      ++p;
      continue;
    }
    if (line_end_cut()) return Step::more;
    skip_line_end();
    break;
  }
  record.fields.resize(count);
  record.line = first_line;
  check_text(begin, p, first_line);
  pos_ = p;
  line_ = line;
  return Step::record;
}

bool Reader::next(Record& record) {
  if (!started_) start();
  while (true) {
    switch (parse(record)) {
      case Step::record:
        return true;
      case Step::end:
        return false;
      case Step::more:
        if (buf_.size() - pos_ > limits_.record)
          fail(line_, "a record longer than " + size_text(limits_.record),
               "a quote left open makes the rest of the file one field; close it");
        fill();
        break;
    }
  }
}

Document parse(std::string_view text) {
  StringSource source(text);
  Reader reader(source, Encoding::utf8);
  Document doc;
  Record record;
  while (reader.next(record)) doc.records.push_back(record);
  doc.delimiter = reader.delimiter();
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

std::string defuse_formula(std::string_view cell) {
  if (cell.empty() || kFormulaStarts.find(cell.front()) == std::string_view::npos) return std::string(cell);
  std::string out;
  out.reserve(cell.size() + 1);
  out += '\'';
  out += cell;
  return out;
}

std::string_view strip_formula_guard(std::string_view cell) {
  if (cell.size() >= 2 && cell[0] == '\'' && kFormulaStarts.find(cell[1]) != std::string_view::npos)
    cell.remove_prefix(1);
  return cell;
}

}  // namespace mailer::csv
