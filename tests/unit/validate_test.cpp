// Validators of user input: email addresses (SPEC §1 client), header values (SPEC §3), UTF-8.
#include "mailer/base/validate.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <string_view>

#include "cli/text_width.hpp"
#include "mailer/base/error.hpp"
#include "test_support.hpp"

using mailer::Errc;
using mailer::Error;
using mailer::test::code_of;
using mailer::test::error_of;

TEST_CASE("email: ordinary, dotted, tagged and quoted addresses are valid (SPEC §1)") {
  for (std::string_view address : {
           "ivan@example.com",
           "ivan.petrov@mail.ru",
           "first.last+newsletter@sub.example.co.uk",
           "o'brien@example.ie",
           "x@ex-ample.com",
           "123@4u.example.com",
           "a!#$%&'*+-/=?^_`{|}~@example.com",
           "\"john doe\"@example.com",
           "\"a@b\"@example.com",
           "\"quote\\\"inside\"@example.com",
           "\"a..b\"@example.com",
           "user@xn--80ak6aa92e.com",
       }) {
    CAPTURE(address);
    CHECK(mailer::is_valid_email(address));
  }
}

TEST_CASE("email: IDN domains and UTF-8 local parts are valid (SPEC §1, RFC 6531)") {
  for (std::string_view address : {
           "покупатель@магазин.рф",
           "ivan@пример.рф",
           "ivan@почта.пример.рф",
           "Иван.Петров@example.com",
           "hans@münchen.de",
           "用户@例子.中国",
           "ivan@магазин-игрушек.рф",
       }) {
    CAPTURE(address);
    CHECK(mailer::is_valid_email(address));
  }
}

TEST_CASE("email: address literals in brackets are valid, malformed ones are not") {
  CHECK(mailer::is_valid_email("user@[192.0.2.1]"));
  CHECK(mailer::is_valid_email("user@[IPv6:2001:db8::1]"));
  CHECK(mailer::is_valid_email("user@[ipv6:::1]"));
  CHECK(mailer::is_valid_email("user@[IPv6:1:2:3:4:5:6:7:8]"));
  CHECK(mailer::is_valid_email("user@[IPv6:::ffff:192.0.2.1]"));
  for (std::string_view address : {
           "user@[300.1.1.1]",
           "user@[192.0.2]",
           "user@[192.0.2.1.5]",
           "user@[192.0.2.1",
           "user@[]",
           "user@[example.com]",
           "user@[IPv6:1:2]",
           "user@[IPv6:1::2::3]",
           "user@[IPv6:1:2:3:4:5:6:7:8:9]",
           "user@[IPv6:12345::1]",
       }) {
    CAPTURE(address);
    CHECK_FALSE(mailer::is_valid_email(address));
  }
}

TEST_CASE("email: malformed addresses are rejected (SPEC §1)") {
  for (std::string_view address : {
           "",
           "ivan",
           "ivan.example.com",
           "@example.com",
           "ivan@",
           "ivan@@example.com",
           "ivan@petrov@example.com",
           "ivan @example.com",
           " ivan@example.com",
           "ivan@example.com ",
           "ivan@example .com",
           "ivan@example",
           "ivan@рф",
           ".ivan@example.com",
           "ivan.@example.com",
           "iv..an@example.com",
           "ivan@example..com",
           "ivan@.example.com",
           "ivan@example.com.",
           "ivan@-example.com",
           "ivan@example-.com",
           "ivan@exa_mple.com",
           "ivan,petrov@example.com",
           "ivan@mail,ru",
           "ivan@192.0.2.1",
           "<ivan@example.com>",
           "Ivan <ivan@example.com>",
           "\"unclosed@example.com",
           "\"\"@example.com",
           "\"a\"b@example.com",
       }) {
    CAPTURE(address);
    CHECK_FALSE(mailer::is_valid_email(address));
  }
}

TEST_CASE("email: line breaks, control characters and invalid UTF-8 are rejected") {
  using namespace std::string_view_literals;
  for (std::string_view address : {
           "ivan@mail.ru\r\nBcc: all@example.com"sv, "ivan@example.com\n"sv, "ivan@example.com\r"sv,
           "\"a\rb\"@example.com"sv, "ivan\t@example.com"sv, "ivan\x01@example.com"sv, "ivan\0@example.com"sv,
           "\xD0@example.com"sv,              // truncated two-byte sequence
           "\xC0\xAF@example.com"sv,          // overlong '/'
           "ivan@\xE0\xA4.com"sv,             // truncated three-byte sequence
           "ivan\xC2\xA0@example.com"sv,      // a no-break space pasted from a web page
           "ivan@example\xE2\x80\x8B.com"sv,  // a zero-width space
       }) {
    CAPTURE(address);
    CHECK_FALSE(mailer::is_valid_email(address));
  }
}

TEST_CASE("email: the local part may be 64 octets, the address 254, a domain label 63") {
  const std::string local64(64, 'a');
  const std::string label63(63, 'b');
  CHECK(mailer::is_valid_email(local64 + "@example.com"));
  CHECK_FALSE(mailer::is_valid_email(local64 + "a@example.com"));
  CHECK(mailer::is_valid_email("ivan@" + label63 + ".com"));
  CHECK_FALSE(mailer::is_valid_email("ivan@" + label63 + "b.com"));

  // 64 + 1 + (63 + 1 + 63 + 1 + 61) = 254 octets.
  const std::string domain189 = label63 + "." + std::string(63, 'c') + "." + std::string(61, 'd');
  CHECK((local64 + "@" + domain189).size() == 254);
  CHECK(mailer::is_valid_email(local64 + "@" + domain189));
  CHECK_FALSE(mailer::is_valid_email(local64 + "@" + domain189 + "d"));
}

TEST_CASE("email: length limits count octets, so a Cyrillic local part holds 32 letters") {
  std::string local;
  for (int i = 0; i < 32; ++i) local += "я";
  CHECK(mailer::is_valid_email(local + "@example.com"));
  CHECK_FALSE(mailer::is_valid_email(local + "я@example.com"));
}

TEST_CASE("normalize_email: trims white space and lowercases the domain, never the local part") {
  CHECK(mailer::normalize_email("  Ivan.Petrov@Example.COM\r\n", "email") == "Ivan.Petrov@example.com");
  CHECK(mailer::normalize_email("\tivan@MAIL.Ru ", "email") == "ivan@mail.ru");
  // Issue 8.10: a quoted local part that needs its quotes cannot be sent reliably, so it is
  // refused at input (see the quoted-address test case).
  CHECK_THROWS_AS(mailer::normalize_email("\"A@B\"@EXAMPLE.com", "email"), mailer::Error);
  CHECK(mailer::normalize_email("user@[IPv6:2001:DB8::1]", "email") == "user@[ipv6:2001:db8::1]");
  // An internationalised domain takes its canonical form (UTS #46 through libidn2), so the
  // same client typed twice is one client and its punycode is right.
  CHECK(mailer::normalize_email("Покупатель@Магазин.РФ", "email") == "Покупатель@магазин.рф");
  CHECK(mailer::normalize_email("ivan@ПРИМЕР.RU", "email") == "ivan@пример.ru");
  CHECK(mailer::normalize_email("ivan@ПОЧТА.рф", "email") ==
        mailer::normalize_email("ivan@почта.рф", "email"));
  // An ASCII domain, punycode included, is kept as typed (lowercased).
  CHECK(mailer::normalize_email("ann@XN--80A1ACNY.XN--P1AI", "email") == "ann@xn--80a1acny.xn--p1ai");
}

TEST_CASE("normalize_email: a domain that is no valid internationalised name is refused") {
  // A label may not start with a combining mark (IDNA 2008).
  const Error e = error_of([] { mailer::normalize_email("ivan@\u0301пример.рф", "email"); });
  CHECK(e.code() == Errc::data);
  CHECK(std::string(e.what()) == "email: invalid email address 'ivan@\u0301пример.рф'");
  CHECK(e.hint() == "the domain is not a valid internationalised domain name");
}

TEST_CASE("normalize_email: an invalid address is a data error naming the field, with a reason") {
  const Error e = error_of([] { mailer::normalize_email(" ivan.mail.ru ", "--email"); });
  CHECK(e.code() == Errc::data);
  CHECK(e.exit_code() == 65);
  CHECK(std::string(e.what()) == "--email: invalid email address 'ivan.mail.ru'");
  CHECK(e.hint().find("'@'") != std::string::npos);

  const Error two = error_of([] { mailer::normalize_email("a@b@example.com", "email"); });
  CHECK(two.hint().find("more than one '@'") != std::string::npos);

  const Error dots = error_of([] { mailer::normalize_email("ivan@mail", "email"); });
  CHECK(dots.hint().find("needs a dot") != std::string::npos);
}

TEST_CASE("normalize_email: control characters in a rejected address are shown escaped") {
  const Error e = error_of([] { mailer::normalize_email("ivan@example.com\x01\xFF", "email"); });
  CHECK(std::string(e.what()) == "email: invalid email address 'ivan@example.com\\x01\\xFF'");
  const Error nbsp = error_of([] { mailer::normalize_email("ivan\xC2\xA0@example.com", "email"); });
  CHECK(nbsp.hint().find("non-breaking") != std::string::npos);
}

TEST_CASE("normalize_email: a huge invalid value is cut in the message") {
  const std::string huge(10000, 'x');
  const Error e = error_of([&] { mailer::normalize_email(huge, "email"); });
  CHECK(std::string_view(e.what()).size() < 200);
  CHECK(std::string_view(e.what()).ends_with("...'"));
}

TEST_CASE("check_header_value: a CR or LF is rejected to prevent header injection (SPEC §3)") {
  CHECK_NOTHROW(mailer::check_header_value("Скидки 20% только сегодня!", "--subject"));
  CHECK_NOTHROW(mailer::check_header_value("", "--subject"));
  for (std::string_view value : {"Hi\r\nBcc: all@example.com", "Hi\nthere", "Hi\rthere", "\n"}) {
    CAPTURE(value);
    const Error e = error_of([&] { mailer::check_header_value(value, "--subject"); });
    CHECK(e.code() == Errc::data);
    CHECK(std::string(e.what()) == "--subject: contains a line break");
  }
}

TEST_CASE("check_header_value: invalid UTF-8 is rejected naming the field") {
  const Error e = error_of([] { mailer::check_header_value("\xCF\xF0\xE8\xE2\xE5\xF2", "--subject"); });
  CHECK(e.code() == Errc::data);
  CHECK(std::string(e.what()) == "--subject: invalid UTF-8 at byte 1");
}

TEST_CASE("check_utf8: well-formed text of 1 to 4 byte sequences passes") {
  using namespace std::string_view_literals;
  for (std::string_view text : {
           ""sv,
           "plain ASCII"sv,
           "Привет, мир"sv,
           "€ 日本語"sv,
           "😀"sv,
           "\xF4\x8F\xBF\xBF"sv,  // U+10FFFF, the last code point
           "\xEF\xBF\xBF"sv,      // U+FFFF
           "nul \0 inside"sv,
       }) {
    CAPTURE(text);
    CHECK_NOTHROW(mailer::check_utf8(text, "body"));
    CHECK(mailer::is_valid_utf8(text));
  }
}

TEST_CASE("check_utf8: overlongs, surrogates, truncated and out-of-range sequences fail") {
  using namespace std::string_view_literals;
  for (std::string_view text : {
           "\xC0\xAF"sv,          // overlong '/'
           "\xC1\xBF"sv,          // overlong
           "\xE0\x80\xAF"sv,      // overlong three-byte
           "\xF0\x80\x80\xAF"sv,  // overlong four-byte
           "\xED\xA0\x80"sv,      // U+D800, a surrogate
           "\xED\xBF\xBF"sv,      // U+DFFF, a surrogate
           "\xF4\x90\x80\x80"sv,  // U+110000, past the last code point
           "\xF5\x80\x80\x80"sv,  // a lead byte that never occurs
           "\xFF"sv,
           "\x80"sv,                      // a lone continuation byte
           "\xD0"sv,                      // truncated at the end
           "\xE2\x82"sv,                  // truncated at the end
           "\xF0\x9F\x98"sv,              // truncated emoji
           "\xD0\x41"sv,                  // a lead byte followed by ASCII
           "\xCF\xF0\xE8\xE2\xE5\xF2"sv,  // "Привет" in Windows-1251
       }) {
    CAPTURE(text);
    CHECK_FALSE(mailer::is_valid_utf8(text));
    CHECK_THROWS_AS(mailer::check_utf8(text, "body"), Error);
  }
}

TEST_CASE("check_utf8: the error names the field and the byte, also past long ASCII runs") {
  const std::string text = std::string(37, 'a') + "\xC3\x28" + std::string(20, 'b');
  const Error e = error_of([&] { mailer::check_utf8(text, "--body-file"); });
  CHECK(e.code() == Errc::data);
  CHECK(std::string(e.what()) == "--body-file: invalid UTF-8 at byte 38");
  CHECK_FALSE(e.hint().empty());
  CHECK_FALSE(mailer::is_valid_utf8(std::string(64, 'a') + "\x80"));
  CHECK(mailer::is_valid_utf8(std::string(64, 'a') + "ж"));
}

TEST_CASE("display_width: Cyrillic is one column per letter, CJK two, combining marks none") {
  CHECK(mailer::display_width("") == 0);
  CHECK(mailer::display_width("abc") == 3);
  CHECK(mailer::display_width("Привет") == 6);
  CHECK(mailer::display_width("Иван Петров") == 11);
  CHECK(mailer::display_width("日本語") == 6);
  CHECK(mailer::display_width("한국") == 4);
  CHECK(mailer::display_width("ｱｲ") == 2);    // halfwidth katakana
  CHECK(mailer::display_width("ＡＢ") == 4);  // fullwidth Latin
  CHECK(mailer::display_width("😀") == 2);
  CHECK(mailer::display_width("e\xCC\x81") == 1);  // e + U+0301 combining acute
  CHECK(mailer::display_width("и\xCC\x86") == 1);  // и + U+0306 combining breve: й
  CHECK(mailer::display_width("a\xE2\x80\x8B"
                              "b") == 2);  // zero-width space
  CHECK(mailer::display_width("a\xFF"
                              "b") == 3);  // an invalid byte shows as one U+FFFD
}

TEST_CASE(
    "email: a domain label that IDN mapping empties is refused, not stored as 'a..b' (found by fuzzing)") {
  // U+034F COMBINING GRAPHEME JOINER is mapped to nothing by UTS #46.
  CHECK(code_of([] { mailer::normalize_email("pe.-@vaa.\xCD\x8F.ru", "email"); }) == Errc::data);
  CHECK(code_of([] { mailer::normalize_email("ivan@\xE2\x80\x8B.example.ru", "email"); }) == Errc::data);
  // A hand-typed A-label beside a Unicode label that decodes to a name IDNA refuses.
  CHECK(code_of([] { mailer::normalize_email("ok@xn--emkfde1afmkfd.x0a\xCF\x9Ei", "email"); }) == Errc::data);
  CHECK(mailer::normalize_email("ivan@\xD0\x9F\xD1\x80\xD0\xB8\xD0\xBC\xD0\xB5\xD1\x80.\xD0\xA0\xD0\xA4",
                                "email") ==
        "ivan@\xD0\xBF\xD1\x80\xD0\xB8\xD0\xBC\xD0\xB5\xD1\x80.\xD1\x80\xD1\x84");
}
