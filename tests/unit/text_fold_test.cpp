// Unicode case folding, email keys, control characters and visible escapes (issues 7.6, 8.8,
// 8.10; SPEC §1 "Unicode case-insensitive; IDN domains compared as A-labels").
#include "mailer/base/text_fold.hpp"

#include <doctest/doctest.h>

#include <string>

#include "mailer/base/error.hpp"
#include "mailer/base/utf8.hpp"
#include "mailer/base/validate.hpp"
#include "test_support.hpp"

using mailer::Errc;
using mailer::Error;
using mailer::test::error_of;

TEST_CASE("fold_case: case is folded in every script, not only Latin") {
  using mailer::fold_case;
  CHECK(fold_case("ОЛЕГ Олег олег") == "олег олег олег");
  CHECK(fold_case("ЁЛКА") == "ёлка");
  CHECK(fold_case("Покупатели") == fold_case("пОКУПАТЕЛИ"));
  CHECK(fold_case("ΣΊΣΥΦΟΣ") == fold_case("σίσυφος"));  // final sigma too
  CHECK(fold_case("ՀԱՅ") == "հայ");
  CHECK(fold_case("ÀÉÎÕÜ") == "àéîõü");
  CHECK(fold_case("Straße") == "straße");  // simple folding: ß stays
  CHECK(fold_case("\u212A") == "k");       // the Kelvin sign
  CHECK(fold_case("ſ") == "s");            // long s
  CHECK(fold_case("Ivan.PETROV+tag") == "ivan.petrov+tag");
  CHECK(fold_case("a\xFF"
                  "B") ==
        "a\xFF"
        "b");  // ill-formed bytes are kept
  CHECK(fold_case("") == "");
}

TEST_CASE("search: е in the needle matches ё, a typed ё only ё") {
  using mailer::fold_for_search;
  using mailer::search_matches;
  const std::string petr = fold_for_search("Пётр Семёнов");
  CHECK(search_matches(petr, fold_for_search("петр")));
  CHECK(search_matches(petr, fold_for_search("ПЁТР")));
  CHECK(search_matches(petr, fold_for_search("семенов")));
  CHECK(search_matches(petr, fold_for_search("пётр семенов")));
  CHECK_FALSE(search_matches(fold_for_search("Петров"), fold_for_search("пётр")));
  CHECK(search_matches(fold_for_search("Петров"), fold_for_search("петр")));
  // A decomposed ё (е + U+0308) is found like the composed one.
  CHECK(search_matches(fold_for_search("Пе\u0308тр"), fold_for_search("пётр")));
  CHECK(search_matches(petr, ""));
  CHECK_FALSE(search_matches("", "a"));
}

TEST_CASE("email_key: local part folded, domain as its lowercase A-label") {
  using mailer::email_key;
  using mailer::normalize_email;
  const auto key = [](const char* a) { return email_key(normalize_email(a, "email")); };
  CHECK(key("ОЛЕГ@пример.рф") == key("олег@пример.рф"));
  CHECK(key("ok@xn--e1afmkfd.xn--p1ai") == key("ok@пример.рф"));
  CHECK(key("OK@XN--E1AFMKFD.XN--P1AI") == key("ok@ПРИМЕР.РФ"));
  CHECK(key("ok@пример.рф") == "ok@xn--e1afmkfd.xn--p1ai");
  CHECK(key("Ivan@Example.COM") == "ivan@example.com");
  CHECK(key("ivan@example.com") != key("ivan@example.org"));
  CHECK(key("\"ivan\"@example.com") == key("IVAN@example.com"));
}

TEST_CASE("normalize_email: quoted local parts are unquoted when needless, refused otherwise") {
  using mailer::normalize_email;
  CHECK(normalize_email("\"ivan.petrov\"@Example.com", "email") == "ivan.petrov@example.com");
  for (const char* bad : {"\"ivan petrov\"@example.com", "\"a@b\"@example.com", "\"a<b>\"@example.com",
                          "\"q\\\"x\"@example.com", "\"a..b\"@example.com"}) {
    CAPTURE(bad);
    const Error e = error_of([&] { normalize_email(bad, "EMAIL"); });
    CHECK(e.code() == Errc::data);
    CHECK(std::string(e.what()).starts_with("EMAIL: invalid email address"));
    CHECK(e.hint().find("quoted") != std::string::npos);
  }
}

TEST_CASE("check_text: C0 and C1 controls are refused except TAB, line breaks only when allowed") {
  using mailer::check_text;
  check_text("Иван\tПетров", "--name");
  check_text("строка 1\r\nстрока 2", "--comment", true);
  for (const char* bad : {"\x1b[31m", "bell\x07", "nel\u0085", "del\x7f", "csi\u009b"}) {
    CAPTURE(bad);
    const Error e = error_of([&] { check_text(bad, "--name"); });
    CHECK(e.code() == Errc::data);
    CHECK(std::string(e.what()).starts_with("--name: contains the control character"));
  }
  CHECK(std::string(error_of([] { check_text("a\nb", "--name"); }).what()) ==
        "--name: contains a line break");
  CHECK_THROWS_AS(check_text("bad \xFF", "--name"), Error);
  CHECK_THROWS_AS(check_text(std::string("nul\0x", 5), "--name"), Error);
}

TEST_CASE("utf8::visible: every control and ill-formed byte becomes a visible escape") {
  using mailer::utf8::visible;
  CHECK(visible("\x1b[31mRed") == "\\x1B[31mRed");
  CHECK(visible("a\tb\r\nc") == "a\\tb\\r\\nc");
  CHECK(visible("nel\u0085") == "nel\\u0085");
  CHECK(visible("bad\xFF") == "bad\\xFF");
  CHECK(visible(std::string("nul\0", 4)) == "nul\\x00");
  CHECK(visible("Пётр 😀") == "Пётр 😀");
}
