// Message composition (SPEC §3): whole messages, their headers, parts and limits, parsed
// back with compose_support.hpp's reader.
#include "compose_support.hpp"

using namespace compose_test;
TEST_CASE("compose: a text message has every header of SPEC §3 and decodes back") {
  ScopedTz tz("Europe/Moscow");
  ComposeContext ctx = context("https://mail.example.com/u/abc123");
  MessageTemplate t = cyrillic_message(false);
  Message m = parse_message(compose(t, Recipient{"ivan@example.com", "Иван Петров"}, ctx));

  CHECK(m.top.get("Date") == "Tue, 24 Nov 2026 09:00:00 +0300");
  CHECK(m.top.get("Message-ID") == ctx.message_id);
  Decoded from = decode_words(m.top.get("From"));
  CHECK(from.text == "Магазин <news@example.com>");
  CHECK(!from.words.empty());
  Decoded to = decode_words(m.top.get("To"));
  CHECK(to.text == "Иван Петров <ivan@example.com>");
  Decoded subject = decode_words(m.top.get("Subject"));
  CHECK(subject.text == "Скидки для Иван Петров");
  for (const auto& w : subject.words) CHECK(w.size() <= 75);
  CHECK(m.top.get("MIME-Version") == "1.0");
  CHECK(m.top.get("List-Unsubscribe") == "<https://mail.example.com/u/abc123>");
  CHECK(m.top.get("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click");
  CHECK(m.top.get("Content-Type") == "text/plain; charset=UTF-8");
  CHECK(body_of(m.top) == lf_to_crlf("Здравствуйте, Иван Петров!\nВаш адрес: ivan@example.com.\n\n"
                                     "Отписаться: https://mail.example.com/u/abc123\n"));
  CHECK(m.top.headers.size() == 10);
}

TEST_CASE("compose: Date follows the local zone and its DST offset") {
  ComposeContext ctx = context();
  MessageTemplate t{"s", "b", std::nullopt};
  Recipient r{"a@example.com", ""};
  {
    ScopedTz tz("America/New_York");
    ctx.date = utc(2026, 11, 24, 14, 5);
    CHECK(parse_message(compose(t, r, ctx)).top.get("Date") == "Tue, 24 Nov 2026 09:05:00 -0500");
    ctx.date = utc(2026, 7, 4, 13, 0);
    CHECK(parse_message(compose(t, r, ctx)).top.get("Date") == "Sat, 04 Jul 2026 09:00:00 -0400");
  }
  {
    ScopedTz tz("UTC");
    CHECK(parse_message(compose(t, r, ctx)).top.get("Date") == "Sat, 04 Jul 2026 13:00:00 +0000");
  }
}

TEST_CASE("compose: To is a bare address without a name, quoted with specials, encoded when not ASCII") {
  MessageTemplate t{"s", "b", std::nullopt};
  ComposeContext ctx = context();
  auto to = [&](std::string email, std::string name) {
    return parse_message(compose(t, Recipient{std::move(email), std::move(name)}, ctx)).top.get("To");
  };
  CHECK(to("ann@example.com", "") == "ann@example.com");
  CHECK(to("ann@example.com", "  ") == "ann@example.com");
  CHECK(to("ann@example.com", "Ann Lee") == "Ann Lee <ann@example.com>");
  CHECK(to("ann@example.com", "Lee, Ann") == "\"Lee, Ann\" <ann@example.com>");
  CHECK(to("ann@example.com", "A. \"Nn\" \\ Lee") == "\"A. \\\"Nn\\\" \\\\ Lee\" <ann@example.com>");
  CHECK(decode_words(to("ann@example.com", "Анна")).text == "Анна <ann@example.com>");
  CHECK(to("ann@почта.рф", "") == "ann@xn--80a1acny.xn--p1ai");
}

TEST_CASE("compose: From keeps its address and quotes or encodes its display name") {
  MessageTemplate t{"s", "b", std::nullopt};
  Recipient r{"a@example.com", ""};
  ComposeContext ctx = context();
  ctx.from = "news@example.com";
  CHECK(parse_message(compose(t, r, ctx)).top.get("From") == "news@example.com");
  ctx.from = "\"Shop, Inc.\" <news@example.com>";
  CHECK(parse_message(compose(t, r, ctx)).top.get("From") == "\"Shop, Inc.\" <news@example.com>");
  ctx.from = "Очень длинное название нашего замечательного интернет-магазина <news@example.com>";
  Message m = parse_message(compose(t, r, ctx));
  CHECK(decode_words(m.top.get("From")).text ==
        "Очень длинное название нашего замечательного интернет-магазина <news@example.com>");
  for (const auto& line : crlf_lines(m.raw)) CHECK(line.size() <= 78);
}

TEST_CASE("compose: HTML escaping applies to the HTML part only") {
  ComposeContext ctx = context("https://mail.example.com/u/t?a=1&b=2");
  MessageTemplate t;
  t.subject = "Для {{name}}";
  t.body_text = "Привет, {{name}}!";
  t.body_html = "<p>Привет, {{name}}!</p><a href=\"{{unsubscribe_url}}\">x</a>";
  Message m = parse_message(compose(t, Recipient{"ivan@example.com", "Иван <b>&"}, ctx));
  CHECK(decode_words(m.top.get("Subject")).text == "Для Иван <b>&");
  REQUIRE(m.parts.size() == 2);
  CHECK(body_of(m.parts[0]) == "Привет, Иван <b>&!");
  CHECK(body_of(m.parts[1]) ==
        "<p>Привет, Иван &lt;b&gt;&amp;!</p><a href=\"https://mail.example.com/u/t?a=1&amp;b=2\">x</a>");
  CHECK(decode_words(m.top.get("To")).text == "Иван <b>& <ivan@example.com>");
}

TEST_CASE("compose: with HTML the message is multipart/alternative, text first, then HTML") {
  ComposeContext ctx = context();
  Message m = parse_message(compose(cyrillic_message(true), Recipient{"a@example.com", "Аня"}, ctx));
  std::string type = m.top.get("Content-Type");
  CHECK(type.rfind("multipart/alternative; boundary=\"", 0) == 0);
  CHECK(!m.top.header("Content-Transfer-Encoding"));
  REQUIRE(m.parts.size() == 2);
  CHECK(m.parts[0].get("Content-Type") == "text/plain; charset=UTF-8");
  CHECK(m.parts[1].get("Content-Type") == "text/html; charset=UTF-8");
  CHECK(body_of(m.parts[0]) == lf_to_crlf("Здравствуйте, Аня!\nВаш адрес: a@example.com.\n\nОтписаться: \n"));
  CHECK(body_of(m.parts[1]) == lf_to_crlf("<p>Здравствуйте, Аня!</p>\n<a href=\"\">Отписаться</a>\n"));
  std::string other =
      param(parse_message(compose(cyrillic_message(true), Recipient{"a@example.com", ""}, ctx))
                .top.get("Content-Type"),
            "boundary");
  CHECK(param(type, "boundary") != other);
}

TEST_CASE("compose: List-Unsubscribe headers appear only with a URL (RFC 8058)") {
  MessageTemplate t{"s", "b", std::nullopt};
  Recipient r{"a@example.com", ""};
  Message without = parse_message(compose(t, r, context()));
  CHECK(!without.top.header("List-Unsubscribe"));
  CHECK(!without.top.header("List-Unsubscribe-Post"));
  std::string url = "https://mail.example.com/unsubscribe/" + std::string(64, 'f');
  Message with = parse_message(compose(t, r, context(url)));
  CHECK(with.top.get("List-Unsubscribe") == "<" + url + ">");
  CHECK(with.top.get("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click");
}

TEST_CASE("compose: a very long Cyrillic subject folds into many encoded words") {
  MessageTemplate t;
  for (int i = 0; i < 60; ++i) t.subject += "Распродажа ";
  t.subject += "{{name}}";
  t.body_text = "b";
  Message m = parse_message(compose(t, Recipient{"a@example.com", "Ёжик"}, context()));
  std::size_t subject_lines = 0;
  bool in_subject = false;
  for (const auto& line : crlf_lines(m.raw.substr(0, m.raw.find("\r\n\r\n") + 2))) {
    if (line.rfind("Subject:", 0) == 0) {
      in_subject = true;
    } else if (line[0] != ' ') {
      in_subject = false;
    }
    if (in_subject) {
      ++subject_lines;
      CHECK(line.size() <= 78);
    }
  }
  CHECK(subject_lines > 10);
  Decoded d = decode_words(m.top.get("Subject"));
  CHECK(d.text == t.subject.substr(0, t.subject.size() - 8) + "Ёжик");
  for (const auto& w : d.words) CHECK(w.size() <= 75);
}

TEST_CASE("compose: CR or LF from the database cannot inject a header") {
  MessageTemplate t{"Hi {{name}}", "b", std::nullopt};
  ComposeContext ctx = context("https://x.example/u\r\nBcc: evil@example.com");
  ctx.message_id = "<id@example.com>\r\nBcc: evil@example.com";
  Message m = parse_message(compose(t, Recipient{"a@example.com", "Ann\r\nBcc: evil@example.com"}, ctx));
  CHECK(!m.top.header("Bcc"));
  CHECK(m.top.get("Subject") == "Hi Ann Bcc: evil@example.com");
  CHECK(m.top.get("To") == "\"Ann Bcc: evil@example.com\" <a@example.com>");
  Message cyr = parse_message(compose(t, Recipient{"a@example.com", "Аня\nBcc: evil@example.com"}, ctx));
  CHECK(!cyr.top.header("Bcc"));
  CHECK(decode_words(cyr.top.get("Subject")).text == "Hi Аня Bcc: evil@example.com");
}

TEST_CASE("compose: no line exceeds 998 octets, even with huge unbroken text") {
  MessageTemplate t;
  t.subject = std::string(2000, 'S');  // no space to fold at: encoded words instead
  t.body_text = std::string(5000, 'x') + "\n" + std::string(3000, ' ') + "\n";
  t.body_html = "<p>" + std::string(10000, 'h') + "</p>";
  Message m = parse_message(compose(t, Recipient{"a@example.com", std::string(500, 'N')}, context()));
  check_line_lengths(m.raw, 78);
  CHECK(decode_words(m.top.get("Subject")).text == t.subject);
  CHECK(decode_words(m.top.get("To")).text == std::string(500, 'N') + " <a@example.com>");
  REQUIRE(m.parts.size() == 2);
  CHECK(body_of(m.parts[0]) == lf_to_crlf(t.body_text));
  CHECK(body_of(m.parts[1]) == t.body_html);
}

TEST_CASE("compose: no line of the message starts with a dot") {
  MessageTemplate t{"s", ".\n..\n.hidden\n{{name}}\n", std::string(".\n<p>.</p>\n")};
  Message m = parse_message(compose(t, Recipient{"a@example.com", ".dot"}, context()));
  for (const auto& line : crlf_lines(m.raw)) CHECK(line.rfind('.', 0) != 0);
  CHECK(body_of(m.parts[0]) == ".\r\n..\r\n.hidden\r\n.dot\r\n");
  CHECK(body_of(m.parts[1]) == ".\r\n<p>.</p>\r\n");
}

TEST_CASE("compose: an empty body and empty subject still make a valid message") {
  Message m = parse_message(
      compose(MessageTemplate{"", "", std::nullopt}, Recipient{"a@example.com", ""}, context()));
  CHECK(m.top.get("Subject").empty());
  CHECK(m.top.body.empty());
}

TEST_CASE("compose: one Composer makes many copies, each with its own recipient") {
  Composer composer(cyrillic_message(true));
  std::string out;
  std::set<std::string> boundaries;
  for (int i = 0; i < 50; ++i) {
    std::string name = i % 2 ? "Клиент " + std::to_string(i) : "";
    std::string email = "c" + std::to_string(i) + "@example.com";
    ComposeContext ctx = context("https://mail.example.com/u/" + std::to_string(i));
    composer.compose(Recipient{email, name}, ctx, out);
    Message m = parse_message(out);
    boundaries.insert(param(m.top.get("Content-Type"), "boundary"));
    CHECK(decode_words(m.top.get("Subject")).text == "Скидки для " + name);
    std::string text = body_of(m.parts[0]);
    CHECK(text.find("Ваш адрес: " + email + ".") != std::string::npos);
    CHECK(text.find("https://mail.example.com/u/" + std::to_string(i) + "\r\n") != std::string::npos);
    CHECK(m.top.get("Message-ID") == ctx.message_id);
    if (name.empty()) {
      CHECK(m.top.get("To") == email);
    } else {
      CHECK(decode_words(m.top.get("To")).text == name + " <" + email + ">");
    }
  }
  CHECK(boundaries.size() == 50);
  Composer moved = std::move(composer);
  CHECK(!moved.compose(Recipient{"z@example.com", ""}, context()).empty());
}

TEST_CASE("compose: templates without sections render exactly as kainjow mustache renders them") {
  // compose renders such templates without mustache's tree walk; this proves both agree.
  const std::vector<std::string> templates = {
      "Hi {{name}}!",
      "{{ name }}\n{{email}}\r\n{{unsubscribe_url}}",
      "{{{name}}} {{& name}} {{&email}} {{{ unsubscribe_url }}}",
      "  {{name}}  \n\n  {{email}}\n",
      "<p>{{name}}</p>\n<a href=\"{{unsubscribe_url}}\">x</a>",
      "no tags at all\n",
      "{{name}}{{email}}{{name}}",
      "{{#name}}Dear {{name}}{{/name}}\n  {{! comment }}\n{{email}}",  // mustache path
      "{{=<% %>=}}<%name%> {{name}}",                                  // mustache path
  };
  const std::vector<Recipient> recipients = {
      {"ivan@example.com", "Иван <b>& \"Q\" 'A'"},
      {"a+b@example.com", "Ann"},
  };
  for (const auto& text : templates) {
    for (const auto& r : recipients) {
      for (bool html : {false, true}) {
        kainjow::mustache::mustache tmpl{text};
        REQUIRE(tmpl.is_valid());
        if (!html) tmpl.set_custom_escape([](const std::string& s) { return s; });
        kainjow::mustache::data data;
        data.set("name", r.name);
        data.set("email", r.email);
        data.set("unsubscribe_url", "https://x.example/u?a=1&b=2");
        CHECK_MESSAGE(render_template(text, r, "https://x.example/u?a=1&b=2", html) == tmpl.render(data),
                      text << " html=" << html);
      }
    }
  }
}

TEST_CASE("compose: envelope_address puts an IDN domain in punycode and leaves the rest alone") {
  CHECK(mailer::mail::envelope_address("ann@почта.рф") == "ann@xn--80a1acny.xn--p1ai");
  CHECK(mailer::mail::envelope_address("news@магазин.рф") == "news@xn--80aairftm.xn--p1ai");
  CHECK(mailer::mail::envelope_address("ivan@example.com") == "ivan@example.com");
  // A non-ASCII local part needs SMTPUTF8 whatever is done to the domain: only the domain changes.
  CHECK(mailer::mail::envelope_address("иван@пример.рф") == "иван@xn--e1afmkfd.xn--p1ai");
}

TEST_CASE("compose: IDN domains in headers and the envelope are punycode, mapped per UTS #46") {
  CHECK(mailer::mail::envelope_address("ann@ПОЧТА.РФ") == "ann@xn--80a1acny.xn--p1ai");
  CHECK(mailer::mail::envelope_address("ann@bücher.example") == "ann@xn--bcher-kva.example");
  // Non-transitional, as mail providers and browsers resolve it: ß stays ß.
  CHECK(mailer::mail::envelope_address("ann@faß.de") == "ann@xn--fa-hia.de");
}

// --- body encodings (issue 7 item 11) ---------------------------------------------------
