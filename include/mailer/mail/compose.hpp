#pragma once
// Pure message composition: Message + recipient -> RFC 5322 bytes (SPEC §3). The encodings
// are in mime_encoding.hpp, mailboxes in mailbox.hpp, the templates in template.hpp (core);
// this header includes them so that its callers see one API.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "mailer/base/time.hpp"
#include "mailer/core/template.hpp"
#include "mailer/mail/mailbox.hpp"
#include "mailer/mail/mime_encoding.hpp"

namespace mailer::mail {

struct TrackingLinks;  // tracking_links.hpp

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
  std::string from;             // header value, e.g. "Магазин <news@example.com>" (UTF-8)
  Time date = 0;                // the Date header
  std::string message_id;       // "<unique@from-domain>", see make_message_id
  std::string unsubscribe_url;  // empty: no List-Unsubscribe headers; else the one-click URL
  // The open pixel and click links of the HTML part (add_tracking); null: the HTML part is
  // sent as rendered. The text part is never tracked.
  const TrackingLinks* tracking = nullptr;
  std::string tracking_token;  // this copy's token, when `tracking` is set
};

// The template check of message add (core); named here too for compose's callers.
using mailer::check_template;

// Renders a template for one recipient; `html` selects HTML-escaping of the values.
// Throws like check_template on a broken template; an unknown variable renders empty.
std::string render_template(std::string_view text, const Recipient& to, std::string_view unsubscribe_url,
                            bool html);

// One copy as a recipient gets it, and what its parts say before they are encoded.
struct RenderedCopy {
  std::string subject;              // as the Subject header says it (CR/LF made spaces)
  std::string text;                 // the text body
  std::optional<std::string> html;  // the HTML body, when the message has one
  std::string mime;                 // the whole message, as compose() writes it
};

// Composes many copies of one message: parses and checks the three templates once, then
// reuses them and its buffers for every copy. Not thread-safe: one Composer per thread.
class Composer {
 public:
  // Throws like check_template, naming the field subject, body_text or body_html; a template
  // stored before the caps existed (too long, sections nested too deep) is refused here too.
  explicit Composer(const MessageTemplate& message);
  ~Composer();
  Composer(Composer&&) noexcept;
  Composer& operator=(Composer&&) noexcept;

  // One copy, as compose() below; replaces `out`, reusing its capacity.
  void compose(const Recipient& to, const ComposeContext& context, std::string& out);
  std::string compose(const Recipient& to, const ComposeContext& context);

  // One copy with its rendered parts (for previews).
  RenderedCopy render(const Recipient& to, const ComposeContext& context);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The complete message: CRLF line endings, lines <= 998 octets, UTF-8 bodies in
// quoted-printable or base64, whichever is shorter (choose_body_encoding), multipart/alternative
// when there is HTML, RFC 2047 encoded words (<= 75 chars, folded) for non-ASCII header text.
// CR/LF in rendered header values become spaces; IDN domains in From/To/Message-ID are
// written in punycode. A header that cannot be written within 998 octets a line (a huge
// unsubscribe URL, Message-ID or address) throws Error{data} naming it: the server would
// refuse the message for every recipient. A convenience wrapper over Composer: prefer
// Composer for more than one copy.
std::string compose(const MessageTemplate& message, const Recipient& to, const ComposeContext& context);

// "<random hex@domain of from>" — unique per copy.
std::string make_message_id(std::string_view from);

}  // namespace mailer::mail
