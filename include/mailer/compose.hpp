#pragma once
// Pure message composition: Message + recipient -> RFC 5322 bytes (SPEC §3).
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "mailer/time.hpp"

namespace mailer::mail {

// The message as the user wrote it: subject and bodies are mustache templates.
struct MessageTemplate {
  std::string subject;
  std::string body_text;
  std::optional<std::string> body_html;
};

// Who receives one copy.
struct Recipient {
  std::string email;
  std::string name;  // may be empty
};

// Everything about one copy that is not the template or the recipient.
struct ComposeContext {
  std::string from;              // header value, e.g. "Магазин <news@example.com>" (UTF-8)
  Time date = 0;                 // the Date header
  std::string message_id;        // "<unique@from-domain>", see make_message_id
  std::string unsubscribe_url;   // empty: no List-Unsubscribe headers; else the one-click URL
};

// Throws Error{Errc::data, "<field>: template error: <mustache's error message>"} when
// `text` is not a valid template, or uses a variable other than name, email,
// unsubscribe_url (in any section, taken or not), or a partial.
// An empty value counts as false in sections: {{#name}}Dear {{name}}{{/name}}.
void check_template(std::string_view text, std::string_view field);

// Renders a template; `html` selects HTML-escaping of the values (HTML parts only).
// Throws like check_template on a broken template; an unknown variable renders empty.
std::string render_template(std::string_view text, const Recipient& to,
                            std::string_view unsubscribe_url, bool html);

// Composes many copies of one message: parses and checks the three templates once, then
// reuses them and its buffers for every copy. Not thread-safe: one Composer per thread.
class Composer {
 public:
  // Throws like check_template, naming the field subject, body_text or body_html.
  explicit Composer(const MessageTemplate& message);
  ~Composer();
  Composer(Composer&&) noexcept;
  Composer& operator=(Composer&&) noexcept;

  // One copy, as compose() below; replaces `out`, reusing its capacity.
  void compose(const Recipient& to, const ComposeContext& context, std::string& out);
  std::string compose(const Recipient& to, const ComposeContext& context);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The complete message: CRLF line endings, lines <= 998 octets, UTF-8 bodies in
// quoted-printable, multipart/alternative when there is HTML, RFC 2047 encoded words
// (<= 75 chars, folded) for non-ASCII header text. CR/LF in rendered header values become
// spaces; IDN domains in From/To/Message-ID are written in punycode. A convenience
// wrapper over Composer: prefer Composer for more than one copy.
std::string compose(const MessageTemplate& message, const Recipient& to, const ComposeContext& context);

// "<random hex@domain of from>" — unique per copy.
std::string make_message_id(std::string_view from);

// The bare address of a header value: "Shop <news@example.com>" -> "news@example.com".
std::string address_of(std::string_view mailbox);

// An address as MAIL FROM and RCPT TO carry it: an IDN domain in punycode
// ("ann@почта.рф" -> "ann@xn--80a1acny.xn--p1ai"), which every server accepts; libcurl 7.88
// would send it in UTF-8, which a server without SMTPUTF8 refuses with a 5xx.
std::string envelope_address(std::string_view address);

// RFC 2047 encoded-word form of a header text, folded with CRLF SP for a header name of up
// to 9 columns ("Subject: "). Plain ASCII is returned unchanged, except that a long one is
// folded at its spaces. CR/LF become spaces.
std::string encode_header_text(std::string_view text);

// Quoted-printable body encoding with CRLF line endings (RFC 2045 §6.7); a "." that would
// start a line is written =2E so no transport ever sees a dot line.
std::string quoted_printable(std::string_view text);

}  // namespace mailer::mail
