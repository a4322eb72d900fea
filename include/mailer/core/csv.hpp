#pragma once
// RFC 4180 CSV as Excel writes it: UTF-8 with or without BOM, or Windows-1251 (Excel's plain
// "CSV" on Russian Windows), ',' or ';' separators, read as a stream of records.
#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mailer::csv {

// One record and the 1-based physical line it starts on (quoted fields may span lines).
struct Record {
  std::size_t line = 0;
  std::vector<std::string> fields;
};

// A parsed document. `delimiter` is detected from the first record (',' or ';', whichever
// occurs more outside quotes; ',' on a tie). A UTF-8 BOM is dropped; CRLF, LF and CR end
// records; empty lines are skipped.
struct Document {
  char delimiter = ',';
  std::vector<Record> records;  // records[0] is the header when there is one
};

// Where a Reader's bytes come from: a file, standard input, a string.
class Source {
 public:
  virtual ~Source() = default;
  // Reads up to `size` bytes into `buffer`; 0 at the end. Throws Error when it cannot.
  virtual std::size_t read(char* buffer, std::size_t size) = 0;
};

// A string as a Source (tests, small inputs); the text must outlive it.
class StringSource : public Source {
 public:
  explicit StringSource(std::string_view text) : text_(text) {}
  std::size_t read(char* buffer, std::size_t size) override;

 private:
  std::string_view text_;
};

// The text's encoding. `detect` reads UTF-8 and switches to Windows-1251 when the first
// non-ASCII bytes are not UTF-8 but look like Cyrillic in Windows-1251.
enum class Encoding { detect, utf8, cp1251 };

// "utf-8" | "windows-1251".
std::string_view to_string(Encoding encoding);

// Caps that keep a hostile or mistaken file (a binary, one endless line) from taking
// gigabytes of memory. Each is an Error{data} naming the line.
struct Limits {
  std::size_t field = 64 * 1024;
  std::size_t record = 1024 * 1024;
  std::size_t fields = 16384;  // Excel's column limit
};

// Reads records one at a time, holding only the current one (and a block of input) in memory.
class Cp1251Decoder;

class Reader {
 public:
  explicit Reader(Source& source, Encoding encoding = Encoding::detect, Limits limits = {});
  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // Reads the next record into `record`, reusing its storage; false at the end of the input.
  // Throws Error{Errc::data, "line N: <what>"} on an unterminated quote, a quote inside an
  // unquoted field, text after a closing quote, text that is not in the encoding, UTF-16 or
  // a field or record over the limits.
  bool next(Record& record);

  // Known once the first record is read.
  char delimiter() const { return delimiter_; }
  // What the text was read as: utf8 or cp1251 (detect until a non-ASCII byte was seen).
  Encoding encoding() const { return encoding_ == Encoding::detect ? Encoding::utf8 : encoding_; }

 private:
  enum class Step { record, more, end };
  bool fill();
  void read_first_block();
  void decide(std::size_t first_non_ascii);
  void start();
  Step parse(Record& record);
  void check_text(std::size_t begin, std::size_t end, std::size_t line) const;

  Source& source_;
  Encoding encoding_;
  Limits limits_;
  std::unique_ptr<Cp1251Decoder> decoder_;
  std::string raw_;
  std::string buf_;  // decoded UTF-8 not yet consumed, from pos_
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  bool eof_ = false;
  bool read_any_ = false;
  bool started_ = false;
  char delimiter_ = ',';
  std::array<bool, 256> ends_plain_{};
  std::array<bool, 256> ends_quoted_{};
};

// Reads a whole text strictly as UTF-8 (no Windows-1251 detection).
Document parse(std::string_view text);

// Quotes a field when it holds the delimiter, a quote, CR or LF, or starts/ends with space.
std::string escape_field(std::string_view field, char delimiter = ',');

// Joins fields with the delimiter and CRLF, each escaped.
std::string format_record(const std::vector<std::string>& fields, char delimiter = ',');

// A cell that a spreadsheet would run as a formula (starting with = + - @, TAB or CR) with a
// ' put before it, which Excel and LibreOffice show as text (OWASP's CSV injection advice).
std::string defuse_formula(std::string_view cell);

// The inverse for import: drops a ' that defuse_formula put before such a cell.
std::string_view strip_formula_guard(std::string_view cell);

}  // namespace mailer::csv
