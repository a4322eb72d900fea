// CSV import and export as Excel writes it (SPEC §2: client import/export).
#include "mailer/core/csv.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "mailer/base/error.hpp"
#include "test_support.hpp"

using mailer::Errc;
using mailer::Error;
using mailer::csv::parse;
using mailer::test::error_of;
using Fields = std::vector<std::string>;

namespace {

std::vector<std::size_t> lines_of(const mailer::csv::Document& doc) {
  std::vector<std::size_t> lines;
  for (const auto& r : doc.records) lines.push_back(r.line);
  return lines;
}

}  // namespace

TEST_CASE("csv: a semicolon-separated Excel export with a BOM is read (SPEC §2)") {
  const auto doc = parse(
      "\xEF\xBB\xBF"
      "email;name;comment\r\n"
      "ivan@пример.рф;Иван Петров;постоянный клиент\r\n"
      "anna@example.com;Анна;\r\n");
  CHECK(doc.delimiter == ';');
  REQUIRE(doc.records.size() == 3);
  CHECK(doc.records[0].fields == Fields{"email", "name", "comment"});
  CHECK(doc.records[1].fields == Fields{"ivan@пример.рф", "Иван Петров", "постоянный клиент"});
  CHECK(doc.records[2].fields == Fields{"anna@example.com", "Анна", ""});
  CHECK(lines_of(doc) == std::vector<std::size_t>{1, 2, 3});
}

TEST_CASE("csv: a comma-separated file without a BOM and with LF endings is read") {
  const auto doc = parse("email,name,comment\nivan@example.com,Иван,\n");
  CHECK(doc.delimiter == ',');
  REQUIRE(doc.records.size() == 2);
  CHECK(doc.records[0].fields == Fields{"email", "name", "comment"});
  CHECK(doc.records[1].fields == Fields{"ivan@example.com", "Иван", ""});
}

TEST_CASE("csv: the delimiter is whichever of comma and semicolon the first record has more of") {
  CHECK(parse("a;b;c\n1,2;3\n").delimiter == ';');
  CHECK(parse("a,b;c\n").delimiter == ',');                    // a tie goes to ','
  CHECK(parse("email\nivan@example.com\n").delimiter == ',');  // one column
  CHECK(parse("\"a;b;c\",d\n").delimiter == ',');              // quoted ';' do not count
  CHECK(parse("\"x\"\";\"\";\";a;b\n").delimiter == ';');      // nor do ones after doubled quotes
  CHECK(parse("\r\n\na;b\n").delimiter == ';');                // leading empty lines are skipped
  CHECK(parse("a,b\nc;d;e;f\n").delimiter == ',');             // only the first record decides
  const auto doc = parse("a;b\n1,5;2,5\n");
  CHECK(doc.records[1].fields == Fields{"1,5", "2,5"});  // Russian decimal commas survive
}

TEST_CASE("csv: quoted fields hold the delimiter, doubled quotes and line breaks") {
  const auto doc = parse(
      "email;name;comment\r\n"
      "ivan@example.com;\"Петров; Иван\";\"зовёт себя \"\"Ваня\"\"\"\r\n"
      "anna@example.com;\"\";\"a,b\"\r\n");
  REQUIRE(doc.records.size() == 3);
  CHECK(doc.records[1].fields == Fields{"ivan@example.com", "Петров; Иван", "зовёт себя \"Ваня\""});
  CHECK(doc.records[2].fields == Fields{"anna@example.com", "", "a,b"});
}

TEST_CASE("csv: a multi-line quoted field keeps its line breaks and shifts later line numbers") {
  const auto doc = parse(
      "email,comment\n"
      "ivan@example.com,\"первая строка\n"
      "вторая\n"
      "третья\"\n"
      "anna@example.com,ok\n");
  REQUIRE(doc.records.size() == 3);
  CHECK(doc.records[1].fields[1] == "первая строка\nвторая\nтретья");
  CHECK(lines_of(doc) == std::vector<std::size_t>{1, 2, 5});
}

TEST_CASE("csv: a CRLF inside quotes is kept as written and counts as one line") {
  const auto doc = parse("a,\"x\r\ny\"\r\nb,z\r\n");
  REQUIRE(doc.records.size() == 2);
  CHECK(doc.records[0].fields[1] == "x\r\ny");
  CHECK(lines_of(doc) == std::vector<std::size_t>{1, 3});
}

TEST_CASE("csv: CRLF, LF and lone CR end lines alike, and empty lines are skipped but counted") {
  CHECK(lines_of(parse("a\r\n\r\nb\r\n")) == std::vector<std::size_t>{1, 3});
  CHECK(lines_of(parse("a\n\nb\n")) == std::vector<std::size_t>{1, 3});
  CHECK(lines_of(parse("a\r\rb\r")) == std::vector<std::size_t>{1, 3});
  CHECK(lines_of(parse("a\r\nb\nc\rd")) == std::vector<std::size_t>{1, 2, 3, 4});
  CHECK(lines_of(parse("\n\n\na\n\n")) == std::vector<std::size_t>{4});
  const auto doc = parse("a\rb\r\n");
  CHECK(doc.records[0].fields == Fields{"a"});
  CHECK(doc.records[1].fields == Fields{"b"});
}

TEST_CASE("csv: empty fields, a missing final line end and white space are kept") {
  CHECK(parse("a,,c").records[0].fields == Fields{"a", "", "c"});
  CHECK(parse("a,b,\n").records[0].fields == Fields{"a", "b", ""});
  CHECK(parse(",,\n").records[0].fields == Fields{"", "", ""});
  CHECK(parse("\"\"\n").records[0].fields == Fields{""});
  CHECK(parse(" a , b \n").records[0].fields == Fields{" a ", " b "});
  CHECK(parse("a,\"b\"").records[0].fields == Fields{"a", "b"});
  CHECK(parse("a,b").records[0].fields == Fields{"a", "b"});
}

TEST_CASE("csv: an empty file, a lone BOM or only line ends give no records") {
  CHECK(parse("").records.empty());
  CHECK(parse("\xEF\xBB\xBF").records.empty());
  CHECK(parse("\r\n\n\r").records.empty());
  CHECK(parse("").delimiter == ',');
}

TEST_CASE("csv: a quote left open until the end names the line where it opened") {
  const Error e = error_of([] { parse("email,name\nivan@example.com,\"Иван\nещё\n"); });
  CHECK(e.code() == Errc::data);
  CHECK(std::string(e.what()) == "line 2: unterminated quoted field");
  CHECK_FALSE(e.hint().empty());
  CHECK(std::string(error_of([] { parse("\""); }).what()) == "line 1: unterminated quoted field");
  CHECK(std::string(error_of([] { parse("a,\"b\"\"\n"); }).what()) == "line 1: unterminated quoted field");
}

TEST_CASE("csv: a quote inside an unquoted field is a stray quote on its line") {
  const Error e = error_of(
      [] { parse("email;name\r\nanna@example.com;Анна\r\nivan@example.com;Иван \"Ваня\" Петров\r\n"); });
  CHECK(e.code() == Errc::data);
  CHECK(std::string(e.what()) == "line 3: stray quote in an unquoted field");
  CHECK(std::string(error_of([] { parse("a, \"b\"\n"); }).what()) ==
        "line 1: stray quote in an unquoted field");
}

TEST_CASE("csv: text after a closing quote is an error on its line") {
  const Error e = error_of([] { parse("a,\"b\"c\n"); });
  CHECK(e.code() == Errc::data);
  CHECK(std::string(e.what()) == "line 1: unexpected text after a closing quote");
  CHECK(std::string(error_of([] { parse("a\nb,\"c\" ,d\n"); }).what()) ==
        "line 2: unexpected text after a closing quote");
}

TEST_CASE("csv: errors after a multi-line field report the physical line") {
  const Error e = error_of([] { parse("\"a\nb\r\nc\",x\nd\"e\n"); });
  CHECK(std::string(e.what()) == "line 4: stray quote in an unquoted field");
}

TEST_CASE("csv: a Windows-1251 file is rejected naming the line, with a hint to save as CSV UTF-8") {
  // "Иван" in Windows-1251, as Excel's plain "CSV" type saves it.
  const Error e = error_of([] { parse("email;name\r\nivan@example.com;\xC8\xE2\xE0\xED\r\n"); });
  CHECK(e.code() == Errc::data);
  CHECK(std::string(e.what()) == "line 2: invalid UTF-8");
  CHECK(e.hint().find("CSV UTF-8") != std::string::npos);

  const Error quoted = error_of([] { parse("a,\"x\ny\nz\xFF\"\nb\n"); });
  CHECK(std::string(quoted.what()) == "line 3: invalid UTF-8");
  const Error lone_cr = error_of([] { parse("a\rb\r\xC0\xAF\r"); });
  CHECK(std::string(lone_cr.what()) == "line 3: invalid UTF-8");
}

TEST_CASE("csv: a UTF-16 file (Excel's \"Unicode text\") is rejected on line 1") {
  const Error e = error_of([] {
    parse(
        std::string_view("\xFF\xFE"
                         "e\0m\0",
                         6));
  });
  CHECK(e.code() == Errc::data);
  CHECK(std::string(e.what()) == "line 1: the file is in UTF-16, not UTF-8");
  CHECK(e.hint().find("CSV UTF-8") != std::string::npos);
}

TEST_CASE("csv: escape_field quotes only fields that need it") {
  using mailer::csv::escape_field;
  CHECK(escape_field("Иван Петров") == "Иван Петров");
  CHECK(escape_field("") == "");
  CHECK(escape_field("a,b") == "\"a,b\"");
  CHECK(escape_field("a;b") == "a;b");
  CHECK(escape_field("a;b", ';') == "\"a;b\"");
  CHECK(escape_field("a,b", ';') == "a,b");
  CHECK(escape_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(escape_field("two\nlines") == "\"two\nlines\"");
  CHECK(escape_field("cr\rhere") == "\"cr\rhere\"");
  CHECK(escape_field(" padded") == "\" padded\"");
  CHECK(escape_field("padded ") == "\"padded \"");
  CHECK(escape_field("=SUM(A1)") == "=SUM(A1)");  // formula prefixes are not our concern
}

TEST_CASE("csv: format_record joins escaped fields and ends with CRLF") {
  using mailer::csv::format_record;
  CHECK(format_record({"email", "name", "comment"}) == "email,name,comment\r\n");
  CHECK(format_record({"ivan@example.com", "Петров, Иван", ""}) == "ivan@example.com,\"Петров, Иван\",\r\n");
  CHECK(format_record({"a", "b;c"}, ';') == "a;\"b;c\"\r\n");
  CHECK(format_record({""}) == "\"\"\r\n");  // else it would be an empty line, which is skipped
}

TEST_CASE("csv: parse(format_record(...)) gives the records back, for both delimiters") {
  const std::vector<Fields> records = {
      {"email", "name", "comment"},
      {"ivan@пример.рф", "Петров, Иван", "зовёт себя \"Ваня\""},
      {"anna@example.com", "Анна; Мария", "первая строка\r\nвторая\nтретья\rчетвёртая"},
      {"", "", ""},
      {" leading", "trailing ", "\"\""},
      {""},
      {"日本語", "😀", "a,b;c"},
  };
  for (char delimiter : {',', ';'}) {
    CAPTURE(delimiter);
    std::string text;
    for (const auto& r : records) text += mailer::csv::format_record(r, delimiter);
    const auto doc = parse(text);
    CHECK(doc.delimiter == delimiter);
    REQUIRE(doc.records.size() == records.size());
    for (std::size_t i = 0; i < records.size(); ++i) {
      CAPTURE(i);
      CHECK(doc.records[i].fields == records[i]);
    }
    CHECK(doc.records[3].line == 7);  // the third record spans lines 3 to 6
  }
}

TEST_CASE("csv: a large import parses every row with its line number") {
  std::string text = "email;name;comment\r\n";
  constexpr std::size_t kRows = 20000;
  for (std::size_t i = 0; i < kRows; ++i) {
    text += "client" + std::to_string(i) + "@example.com;Иван Петров;постоянный\r\n";
  }
  const auto doc = parse(text);
  REQUIRE(doc.records.size() == kRows + 1);
  CHECK(doc.records.back().line == kRows + 1);
  CHECK(doc.records.back().fields ==
        Fields{"client" + std::to_string(kRows - 1) + "@example.com", "Иван Петров", "постоянный"});
}
