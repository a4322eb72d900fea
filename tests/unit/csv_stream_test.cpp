// The streaming CSV reader: records across block boundaries, Windows-1251, caps (issues 7.5,
// 7.12, 8.10).
#include <doctest/doctest.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "mailer/base/error.hpp"
#include "mailer/core/csv.hpp"
#include "test_support.hpp"

using mailer::Errc;
using mailer::Error;
using namespace mailer::csv;
using mailer::test::error_of;
using Fields = std::vector<std::string>;

namespace {

// Hands out its text `step` bytes at a time, so every boundary case comes up.
class Trickle : public Source {
 public:
  Trickle(std::string text, std::size_t step) : text_(std::move(text)), step_(step) {}
  std::size_t read(char* buffer, std::size_t size) override {
    const std::size_t n = std::min({size, step_, text_.size() - pos_});
    std::copy_n(text_.data() + pos_, n, buffer);
    pos_ += n;
    return n;
  }

 private:
  std::string text_;
  std::size_t step_;
  std::size_t pos_ = 0;
};

std::vector<Record> read_all(Source& source, Encoding encoding = Encoding::detect, Limits limits = {}) {
  Reader reader(source, encoding, limits);
  std::vector<Record> out;
  Record r;
  while (reader.next(r)) out.push_back(r);
  return out;
}

}  // namespace

TEST_CASE("csv reader: records split anywhere between reads come out whole, with their lines") {
  const std::string text =
      "\xEF\xBB\xBF"
      "email;name;comment\r\n"
      "ivan@пример.рф;\"Петров; Иван\";\"две\r\nстроки \"\"в кавычках\"\"\"\r\n"
      "\r\n"
      "anna@example.com;Анна;\r"
      "last@example.com;;x";
  for (std::size_t step : {1, 2, 3, 5, 7, 64, 100000}) {
    CAPTURE(step);
    Trickle source(text, step);
    const auto records = read_all(source);
    REQUIRE(records.size() == 4);
    CHECK(records[0].fields == Fields{"email", "name", "comment"});
    CHECK(records[1].fields == Fields{"ivan@пример.рф", "Петров; Иван", "две\r\nстроки \"в кавычках\""});
    CHECK(records[2].fields == Fields{"anna@example.com", "Анна", ""});
    CHECK(records[3].fields == Fields{"last@example.com", "", "x"});
    CHECK(records[0].line == 1);
    CHECK(records[1].line == 2);
    CHECK(records[2].line == 5);
    CHECK(records[3].line == 6);
  }
}

TEST_CASE("csv reader: a large input is read in blocks, line numbers exact to the end") {
  std::string text = "email\n";
  for (int i = 0; i < 50000; ++i) text += "c" + std::to_string(i) + "@example.com\n";
  StringSource source(text);
  Reader reader(source);
  Record r;
  std::size_t n = 0;
  while (reader.next(r)) ++n;
  CHECK(n == 50001);
  CHECK(r.line == 50001);
  CHECK(r.fields == Fields{"c49999@example.com"});
}

TEST_CASE("csv reader: Windows-1251 is detected and converted (issue 7.5)") {
  // "email;имя\r\nivan@example.com;Иван Петров, «Ёлка» №5\r\n" in Windows-1251.
  const std::string cp =
      "email;\xE8\xEC\xFF\r\nivan@example.com;\xC8\xE2\xE0\xED \xCF\xE5\xF2\xF0\xEE\xE2, "
      "\xAB\xA8\xEB\xEA\xE0\xBB "
      "\xB9"
      "5\r\n";
  for (std::size_t step : {1, 3, 4096}) {
    Trickle source(cp, step);
    Reader reader(source);
    Record r;
    REQUIRE(reader.next(r));
    CHECK(r.fields == Fields{"email", "имя"});
    REQUIRE(reader.next(r));
    CHECK(r.fields == Fields{"ivan@example.com", "Иван Петров, «Ёлка» №5"});
    CHECK(reader.encoding() == Encoding::cp1251);
  }
  StringSource given(cp);
  CHECK(read_all(given, Encoding::cp1251)[1].fields[1] == "Иван Петров, «Ёлка» №5");
  StringSource strict(cp);
  const Error e = error_of([&] { read_all(strict, Encoding::utf8); });
  CHECK(std::string(e.what()) == "line 1: invalid UTF-8");
}

TEST_CASE("csv reader: UTF-8 stays UTF-8, and Latin-1 is not taken for Cyrillic") {
  StringSource utf("email;name\nivan@example.com;Иван\n");
  Reader reader(utf);
  Record r;
  while (reader.next(r)) {
  }
  CHECK(reader.encoding() == Encoding::utf8);
  // "Müller, Straße" in Latin-1: accented letters alone between ASCII ones.
  StringSource latin(
      "email;name\nhans@example.de;M\xFCller, Stra\xDF"
      "e\n");
  const Error e = error_of([&] { read_all(latin); });
  CHECK(std::string(e.what()) == "line 2: invalid UTF-8");
  // The one byte Windows-1251 lacks.
  StringSource undefined("a;\xC8\xE2\x98\xE0\xED\n");
  CHECK(std::string(error_of([&] { read_all(undefined); }).what()) == "line 1: invalid UTF-8");
  StringSource given("a;\xC8\xE2\x98\xE0\xED\n");
  CHECK(
      std::string(error_of([&] { read_all(given, Encoding::cp1251); }).what()).starts_with("line 1: a byte"));
}

TEST_CASE("csv reader: a UTF-8 file given as Windows-1251 is refused at line 1") {
  StringSource bom(
      "\xEF\xBB\xBF"
      "email\n");
  const Error e = error_of([&] { read_all(bom, Encoding::cp1251); });
  CHECK(e.code() == Errc::data);
  CHECK(std::string(e.what()).starts_with("line 1: the file is UTF-8"));
}

TEST_CASE("csv reader: a field, a record and a field count have caps (issue 8.10)") {
  Limits small;
  small.field = 10;
  small.record = 100;
  small.fields = 5;
  StringSource field("a,0123456789x\n");
  CHECK(std::string(error_of([&] { read_all(field, Encoding::utf8, small); }).what()) ==
        "line 1: a field longer than 10 bytes");
  Trickle open("ok\n\"" + std::string(500, 'x'), 7);
  CHECK(std::string(error_of([&] { read_all(open, Encoding::utf8, small); }).what()) ==
        "line 2: a record longer than 100 bytes");
  StringSource many("a,b,c,d,e,f\n");
  CHECK(std::string(error_of([&] { read_all(many, Encoding::utf8, small); }).what()) ==
        "line 1: more than 5 fields in a record");
  // The real caps: a 70 KiB field is refused, a 60 KiB one read.
  const std::string big_text = "a," + std::string(70 * 1024, 'x') + "\n";
  StringSource big(big_text);
  CHECK(std::string(error_of([&] { read_all(big); }).what()) == "line 1: a field longer than 64 KiB");
  const std::string fine_text = "a," + std::string(60 * 1024, 'x') + "\n";
  StringSource fine(fine_text);
  CHECK(read_all(fine)[0].fields[1].size() == 60 * 1024);
}

TEST_CASE("csv: formula cells are defused for export and restored by import (issue 8.8)") {
  CHECK(defuse_formula("=SUM(A1)") == "'=SUM(A1)");
  CHECK(defuse_formula("+7 900") == "'+7 900");
  CHECK(defuse_formula("-1") == "'-1");
  CHECK(defuse_formula("@cmd") == "'@cmd");
  CHECK(defuse_formula("\tx") == "'\tx");
  CHECK(defuse_formula("\rx") == "'\rx");
  CHECK(defuse_formula("Иван") == "Иван");
  CHECK(defuse_formula("") == "");
  CHECK(defuse_formula("a=b") == "a=b");
  for (std::string cell : {"=SUM(A1)", "+7", "-x@example.com", "@a", "'quoted", "'", "plain"})
    CHECK(strip_formula_guard(defuse_formula(cell)) == cell);
  CHECK(strip_formula_guard("'plain") == "'plain");
}
