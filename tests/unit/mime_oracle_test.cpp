// GMime as an independent decoder of what compose writes (issue 7 item 11, issue 9 item 7):
// headers, addresses and every part, quoted-printable or base64, must read back as written.
// Built only when CMake finds gmime-3.0 (Debian's libgmime-3.0-dev); otherwise empty.
#ifdef MAILER_HAVE_GMIME
#include <doctest/doctest.h>
#include <gmime/gmime.h>

#include <memory>
#include <string>
#include <vector>

#include "mailer/mail/compose.hpp"

namespace {

using namespace mailer::mail;

struct Unref {
  void operator()(void* object) const { g_object_unref(object); }
};
template <typename T>
using GPtr = std::unique_ptr<T, Unref>;

struct Decoded {
  std::string subject, from, to_name, to_address, list_unsubscribe;
  std::vector<std::string> types, encodings, bodies;
};

std::string take_string(char* s) {
  std::string out = s ? s : "";
  g_free(s);
  return out;
}

void read_part(GMimeObject* object, Decoded& d) {
  if (GMIME_IS_MULTIPART(object)) {
    auto* multipart = GMIME_MULTIPART(object);
    for (int i = 0; i < g_mime_multipart_get_count(multipart); ++i)
      read_part(g_mime_multipart_get_part(multipart, i), d);
    return;
  }
  REQUIRE(GMIME_IS_PART(object));
  auto* part = GMIME_PART(object);
  d.types.push_back(take_string(g_mime_content_type_get_mime_type(g_mime_object_get_content_type(object))));
  d.encodings.push_back(g_mime_content_encoding_to_string(g_mime_part_get_content_encoding(part)));
  GPtr<GMimeStream> out(g_mime_stream_mem_new());
  REQUIRE(g_mime_data_wrapper_write_to_stream(g_mime_part_get_content(part), out.get()) >= 0);
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out.get()));
  d.bodies.emplace_back(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

Decoded gmime_decode(const std::string& raw) {
  static const bool initialised = [] {
    g_mime_init();
    return true;
  }();
  (void)initialised;
  GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  GPtr<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), nullptr));
  REQUIRE(message);
  Decoded d;
  d.subject = g_mime_message_get_subject(message.get()) ? g_mime_message_get_subject(message.get()) : "";
  d.from =
      take_string(internet_address_list_to_string(g_mime_message_get_from(message.get()), nullptr, FALSE));
  InternetAddressList* to = g_mime_message_get_to(message.get());
  REQUIRE(internet_address_list_length(to) == 1);
  InternetAddress* address = internet_address_list_get_address(to, 0);
  d.to_name = internet_address_get_name(address) ? internet_address_get_name(address) : "";
  d.to_address = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address));
  const char* unsubscribe = g_mime_object_get_header(GMIME_OBJECT(message.get()), "List-Unsubscribe");
  d.list_unsubscribe = unsubscribe ? unsubscribe : "";
  read_part(g_mime_message_get_mime_part(message.get()), d);
  return d;
}

std::string crlf(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

}  // namespace

TEST_CASE("mime oracle: GMime decodes every part and header of a composed message") {
  const std::string cyrillic = "Здравствуйте, {{name}}!\nНа этой неделе скидка 20% на весь ассортимент.\n";
  std::string long_cyrillic;
  for (int i = 0; i < 40; ++i) long_cyrillic += "Распродажа для {{name}}: всё по полцены. ";
  const std::vector<MessageTemplate> messages = {
      {"Скидки для {{name}}", cyrillic, std::nullopt},
      {"Sale for {{name}}",
       "Hello {{name}},\n.\n..dots and = signs, trailing blanks \n" + std::string(200, 'x'),
       std::string("<p>Hello, {{name}}!</p>\n")},
      {"{{#name}}{{name}}, {{/name}}новости", long_cyrillic + "\n",
       "<html><body><p>" + long_cyrillic + "</p></body></html>"},
      {"Mixed: цена 100 ₽",
       "Price list:\nЧай — 100 ₽\nКофе — 200 ₽\nTea, coffee, cocoa and more.\n",
       std::string("<table><tr><td>Чай</td><td>100 ₽</td></tr></table>")},
  };
  const std::vector<Recipient> recipients = {
      {"ivan@example.com", "Иван Петров"}, {"ann@почта.рф", "Ann \"Q\" Lee, Jr."}, {"b@example.com", ""}};
  for (const auto& message : messages) {
    Composer composer(message);
    for (const auto& to : recipients) {
      ComposeContext context;
      context.from = "Магазин <news@example.com>";
      context.date = 1795000000;
      context.message_id = make_message_id(context.from);
      context.unsubscribe_url = "https://mail.example.com/u/1.2.abcdef";
      RenderedCopy copy = composer.render(to, context);
      Decoded d = gmime_decode(copy.mime);
      CAPTURE(copy.mime);
      // GMime drops the blanks that end a header; it writes IDN domains back in Unicode.
      auto rtrim = [](std::string s) {
        while (!s.empty() && s.back() == ' ') s.pop_back();
        return s;
      };
      CHECK(rtrim(d.subject) == rtrim(copy.subject));
      CHECK(d.from == "Магазин <news@example.com>");
      CHECK(d.to_name == to.name);
      CHECK(d.to_address == to.email);
      CHECK(d.list_unsubscribe == "<https://mail.example.com/u/1.2.abcdef>");
      REQUIRE(d.bodies.size() == (copy.html ? 2u : 1u));
      CHECK(d.types[0] == "text/plain");
      // The last part of a message ends with the CRLF that SMTP DATA needs.
      std::string text = crlf(copy.text);
      CHECK((d.bodies[0] == text || d.bodies[0] == text + "\r\n"));
      if (copy.html) {
        CHECK(d.types[1] == "text/html");
        CHECK(d.bodies[1] == crlf(*copy.html));
      }
      for (const auto& encoding : d.encodings)
        CHECK((encoding == "base64" || encoding == "quoted-printable"));
    }
  }
}

TEST_CASE("mime oracle: Cyrillic parts are base64, Latin ones quoted-printable, as GMime reads them") {
  MessageTemplate t{"s", "Съешь же ещё этих мягких французских булок, да выпей чаю.\n",
                    std::string("<p>Plain English, with one word in Russian: чай.</p>\n")};
  ComposeContext context;
  context.from = "news@example.com";
  context.message_id = make_message_id(context.from);
  Decoded d = gmime_decode(compose(t, Recipient{"a@example.com", ""}, context));
  REQUIRE(d.encodings.size() == 2);
  CHECK(d.encodings[0] == "base64");
  CHECK(d.encodings[1] == "quoted-printable");
}
#endif  // MAILER_HAVE_GMIME
