// Message composition (SPEC §3, issue 3 point 1): encodings, header words, addresses and
// templates, each parsed back with compose_support.hpp's reader.
#include "compose_support.hpp"

using namespace compose_test;

// --- quoted-printable -----------------------------------------------------------------

TEST_CASE("compose: quoted-printable round-trips UTF-8 with CRLF lines of at most 76 (RFC 2045 §6.7)") {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "Съешь же ещё этих мягких французских булок, да выпей чаю. ";
  text += "\nshort line\n\nlast line without newline";
  std::string qp = quoted_printable(text);
  check_line_lengths(qp + "\r\n", 76);
  CHECK(qp_decode(qp) == lf_to_crlf(text));
  // An escape is never cut by a soft line break.
  for (const auto& line : crlf_lines(qp + "\r\n")) {
    std::size_t eq = line.rfind('=');
    if (eq != std::string::npos) CHECK((eq + 3 <= line.size() || eq + 1 == line.size()));
  }
}

TEST_CASE("compose: quoted-printable encodes '=', trailing whitespace and a line-leading dot") {
  CHECK(quoted_printable("a=b") == "a=3Db");
  CHECK(quoted_printable("tail \nnext\t") == "tail=20\r\nnext=09");
  CHECK(quoted_printable("in between stays") == "in between stays");
  CHECK(quoted_printable(".\nx\n..y") == "=2E\r\nx\r\n=2E.y");
  CHECK(quoted_printable("a\r\nb\rc") == "a\r\nb\r\nc");
  // A dot pushed to the start of a line by a soft break is encoded too.
  std::string text(75, 'x');
  text += ".end";
  std::string qp = quoted_printable(text);
  CHECK(qp == std::string(75, 'x') + "=\r\n=2Eend");
  CHECK(qp_decode(qp) == text);
  // Exactly 76 characters fit on one line without a soft break.
  CHECK(quoted_printable(std::string(76, 'y')) == std::string(76, 'y'));
  CHECK(quoted_printable(std::string(77, 'y')) == std::string(75, 'y') + "=\r\nyy");
}

// --- header text ----------------------------------------------------------------------

TEST_CASE("compose: short ASCII header text is unchanged, long ASCII folds at spaces") {
  CHECK(encode_header_text("Big sale, today only!") == "Big sale, today only!");
  std::string long_text;
  for (int i = 0; i < 30; ++i) long_text += "word" + std::to_string(i) + " ";
  long_text += "end";
  std::string folded = encode_header_text(long_text);
  CHECK(folded.find("\r\n ") != std::string::npos);
  CHECK(folded.find("=?") == std::string::npos);
  CHECK(unfold(folded) == long_text);
  for (const auto& line : crlf_lines("Subject: " + folded + "\r\n")) CHECK(line.size() <= 78);
}

TEST_CASE("compose: non-ASCII header text becomes encoded words of at most 75 characters (SPEC §3)") {
  std::string text = "Осенняя распродажа: скидки до 50% на всё для Ивана Петровича Сидорова и его семьи";
  std::string encoded = encode_header_text(text);
  CHECK(encoded.find("\r\n ") != std::string::npos);
  Decoded d = decode_words(unfold(encoded));
  CHECK(d.text == text);
  CHECK(d.words.size() > 1);
  for (const auto& w : d.words) CHECK(w.size() <= 75);
  for (const auto& line : crlf_lines("Subject: " + encoded + "\r\n")) CHECK(line.size() <= 78);
}

TEST_CASE("compose: encoded words never split a UTF-8 character, whatever the alignment") {
  for (int shift = 0; shift < 6; ++shift) {
    std::string text(static_cast<std::size_t>(shift), 'a');
    for (int i = 0; i < 30; ++i) text += "Ж€😀";  // 2, 3 and 4 byte sequences
    Decoded d = decode_words(unfold(encode_header_text(text)));
    CHECK(d.text == text);
    for (const auto& w : d.words) CHECK(w.size() <= 75);
  }
}

TEST_CASE("compose: ASCII that looks like an encoded word is encoded, CR/LF never survive") {
  Decoded d = decode_words(encode_header_text("=?UTF-8?B?abc?= trick"));
  CHECK(d.text == "=?UTF-8?B?abc?= trick");
  CHECK(encode_header_text("one\r\nBcc: x@example.com") == "one Bcc: x@example.com");
  std::string cyr = encode_header_text("Иван Иванович Иванов\nBcc: x@example.com\r\n\r\nBody");
  CHECK(unfold(cyr).find_first_of("\r\n") == std::string::npos);  // only folding points
  CHECK(decode_words(unfold(cyr)).text == "Иван Иванович Иванов Bcc: x@example.com Body");
}

// --- addresses ------------------------------------------------------------------------

TEST_CASE("compose: address_of takes the address from a mailbox or a bare address") {
  CHECK(address_of("Shop <news@example.com>") == "news@example.com");
  CHECK(address_of("  news@example.com ") == "news@example.com");
  CHECK(address_of("\"Shop <the best>\" <news@example.com>") == "news@example.com");
  CHECK(address_of("Магазин <news@пример.рф>") == "news@пример.рф");
  CHECK(address_of("<news@example.com>") == "news@example.com");
}

TEST_CASE("compose: make_message_id is 32 random hex characters at the From domain") {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = make_message_id("Магазин <news@Example.com>");
    REQUIRE(id.size() == 1 + 32 + 1 + 11 + 1);
    CHECK(id.front() == '<');
    CHECK(id.substr(33) == "@Example.com>");
    CHECK(id.substr(1, 32).find_first_not_of("0123456789abcdef") == std::string::npos);
    seen.insert(id);
  }
  CHECK(seen.size() == 1000);
  CHECK(make_message_id("news@пример.испытание").substr(33) == "@xn--e1afmkfd.xn--80akhbyknj4f>");
}

// --- templates ------------------------------------------------------------------------

TEST_CASE("compose: check_template accepts the three variables, sections and comments") {
  CHECK_NOTHROW(check_template("Hello", "--subject"));
  CHECK_NOTHROW(check_template("{{name}} {{ email }} {{unsubscribe_url}} {{{name}}} {{&email}}", "--body"));
  CHECK_NOTHROW(check_template("{{#name}}Dear {{name}}{{/name}}{{^name}}Hello{{/name}}", "--body"));
  CHECK_NOTHROW(check_template("{{#name}}{{.}}{{/name}}{{! a comment }}", "--body"));
  CHECK_NOTHROW(check_template("{{=<% %>=}}<%name%> {{literal}}", "--body"));
}

TEST_CASE("compose: check_template rejects a broken template with exit 65 (SPEC §6)") {
  std::string what = error_of([] { check_template("Hi {{name", "--subject"); });
  CHECK(what.rfind("--subject: template error: Unclosed tag", 0) == 0);
  what = error_of([] { check_template("{{#name}}Hi", "--body"); });
  CHECK(what.rfind("--body: template error: Unclosed section", 0) == 0);
  what = error_of([] { check_template("{{/name}}", "--body"); });
  CHECK(what.rfind("--body: template error: ", 0) == 0);
}

TEST_CASE("compose: check_template rejects an unknown variable, even in a section not taken") {
  std::string what = error_of([] { check_template("Hi {{nmae}}", "--subject"); });
  CHECK(what == "--subject: template error: unknown variable {{nmae}}");
  CHECK(error_of([] {
          check_template("{{#name}}{{^email}}{{x}}{{/email}}{{/name}}", "--body");
        }).find("{{x}}") != std::string::npos);
  CHECK(error_of([] {
          check_template("{{^unsubscribe_url}}{{y}}{{/unsubscribe_url}}", "--body");
        }).find("{{y}}") != std::string::npos);
  CHECK(error_of([] { check_template("{{#names}}x{{/names}}", "--body"); }).find("names") !=
        std::string::npos);
  CHECK(error_of([] { check_template("{{name.first}}", "--body"); }).find("name.first") != std::string::npos);
  CHECK(error_of([] { check_template("{{.}}", "--body"); }).find("{{.}}") != std::string::npos);
  CHECK(error_of([] { check_template("{{> footer}}", "--body"); }).find("partials") != std::string::npos);
}

TEST_CASE("compose: the Composer checks its templates like message add does") {
  MessageTemplate t;
  t.subject = "ok";
  t.body_text = "ok";
  t.body_html = "<p>{{nmae}}</p>";
  CHECK(error_of([&] { Composer c(t); }) == "body_html: template error: unknown variable {{nmae}}");
  t.body_html.reset();
  t.subject = "{{#name}}";
  CHECK(error_of([&] { Composer c(t); }).rfind("subject: template error: Unclosed section", 0) == 0);
}

TEST_CASE("compose: render_template escapes HTML only when asked") {
  Recipient r{"ivan@example.com", "Иван <b>&"};
  CHECK(render_template("Hi {{name}}", r, "", false) == "Hi Иван <b>&");
  CHECK(render_template("Hi {{name}}", r, "", true) == "Hi Иван &lt;b&gt;&amp;");
  CHECK(render_template("Hi {{{name}}}", r, "", true) == "Hi Иван <b>&");
  CHECK(render_template("{{unsubscribe_url}}", r, "https://x/u?a=1&b=2", true) == "https://x/u?a=1&amp;b=2");
}

TEST_CASE("compose: an empty name is false in a section, a non-empty one true") {
  const char* tmpl = "{{#name}}Dear {{name}}{{/name}}{{^name}}Dear customer{{/name}}";
  CHECK(render_template(tmpl, Recipient{"a@example.com", ""}, "", false) == "Dear customer");
  CHECK(render_template(tmpl, Recipient{"a@example.com", "Ann"}, "", false) == "Dear Ann");
}

// --- whole messages -------------------------------------------------------------------
