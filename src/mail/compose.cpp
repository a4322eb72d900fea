// Message composition (SPEC §3): templates + recipient -> RFC 5322/MIME bytes.
// Built for 100,000 copies a run: templates are parsed once, buffers are reused, and the
// encoders append straight into the output instead of building intermediate strings.
#include "mailer/mail/compose.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <utility>

#include "mailer/base/encoding.hpp"
#include "mailer/base/error.hpp"
#include "mailer/mail/tracking_links.hpp"

namespace mailer::mail {
namespace {

constexpr std::string_view kCrlf = "\r\n";

// RFC 5322 §3.3 in the local zone; day and month names are spelled out here because
// strftime's follow the locale.
void append_date(std::string& out, Time t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  if (localtime_r(&tt, &tm) == nullptr) throw Error(Errc::data, "date out of range");
  long offset = tm.tm_gmtoff / 60;
  char sign = offset < 0 ? '-' : '+';
  offset = std::labs(offset);
  char buf[96];
  int n = std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d %c%02ld%02ld",
                        kDays[tm.tm_wday % 7], tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900,
                        tm.tm_hour, tm.tm_min, tm.tm_sec, sign, offset / 60, offset % 60);
  out.append(buf, static_cast<std::size_t>(n));
}

bool ends_with_crlf(const std::string& s) {
  return s.size() >= 2 && s[s.size() - 2] == '\r' && s.back() == '\n';
}

// RFC 5322 §2.1.1: no line of a message may exceed 998 octets, and a server refuses the
// message ("500 Line too long") for every recipient alike. Each generated header folds where
// its syntax allows; what still does not fit (an unbreakable URL, Message-ID or address) is
// refused here, naming the header, instead of being sent.
void check_header_lines(std::string_view head) {
  std::size_t start = 0, field = 0;
  while (start < head.size()) {
    std::size_t end = head.find(kCrlf, start);
    if (end == std::string_view::npos) end = head.size();
    if (head[start] != ' ' && head[start] != '\t') field = start;
    if (end - start > kMaxLineOctets) {
      std::string_view name = head.substr(field, head.find(':', field) - field);
      throw Error(Errc::data,
                  fmt::format("{} header: a line of {} octets, more than the {} a message line may have",
                              name, end - start, kMaxLineOctets),
                  name == "List-Unsubscribe" ? "the unsubscribe URL starts with tracking.base_url: shorten it"
                                             : "shorten what goes into it");
    }
    start = end + 2;
  }
}

void append_part_headers(std::string& out, std::string_view type, BodyEncoding encoding) {
  out += "Content-Type: ";
  out += type;
  out += "; charset=UTF-8\r\nContent-Transfer-Encoding: ";
  out += encoding_name(encoding);
  out += "\r\n\r\n";
}

}  // namespace

std::string render_template(std::string_view text, const Recipient& to, std::string_view unsubscribe_url,
                            bool html) {
  return mailer::render_template(text, TemplateValues{to.name, to.email, unsubscribe_url}, html);
}

struct Composer::Impl {
  explicit Impl(const MessageTemplate& message)
      : renderer(message.subject, message.body_text, message.body_html) {}

  MessageRenderer renderer;
  // Scratch buffers kept between copies so a run allocates them once.
  std::string rendered, cleaned, body_text, body_html, tracked, url;
  // Date and From are the same for most copies of a run.
  Time cached_date = 0;
  std::string cached_date_text;
  std::string cached_from_input, cached_from_header;
  std::string boundary_prefix = "=_mailer_" + random_hex(8) + "_";
  std::uint64_t copies = 0;
};

Composer::Composer(const MessageTemplate& message) : impl_(std::make_unique<Impl>(message)) {}

Composer::~Composer() = default;
Composer::Composer(Composer&&) noexcept = default;
Composer& Composer::operator=(Composer&&) noexcept = default;

std::string Composer::compose(const Recipient& to, const ComposeContext& context) {
  std::string out;
  compose(to, context, out);
  return out;
}

RenderedCopy Composer::render(const Recipient& to, const ComposeContext& context) {
  RenderedCopy copy;
  compose(to, context, copy.mime);
  copy.subject = impl_->cleaned;
  copy.text = impl_->body_text;
  if (impl_->renderer.has_html()) copy.html = impl_->body_html;
  return copy;
}

void Composer::compose(const Recipient& to, const ComposeContext& context, std::string& out) {
  Impl& m = *impl_;
  m.renderer.render(TemplateValues{to.name, to.email, context.unsubscribe_url}, m.rendered, m.body_text,
                    m.body_html);
  const bool html = m.renderer.has_html();
  if (html && context.tracking) {
    m.tracked.clear();
    add_tracking(m.tracked, m.body_html, *context.tracking, context.tracking_token, context.unsubscribe_url);
    m.body_html.swap(m.tracked);
  }
  clean_header_into(m.cleaned, m.rendered);
  const BodyEncoding text_encoding = choose_body_encoding(m.body_text);
  const BodyEncoding html_encoding =
      html ? choose_body_encoding(m.body_html) : BodyEncoding::quoted_printable;

  out.clear();
  // One allocation for the worst case is cheaper than growing several times.
  out.reserve(1024 + 2 * m.cleaned.size() + body_bound(m.body_text.size()) +
              (html ? body_bound(m.body_html.size()) : 0) + 2 * m.cached_from_header.size() +
              context.from.size() + 2 * to.name.size() + to.email.size() + context.message_id.size() +
              context.unsubscribe_url.size());

  if (m.cached_date_text.empty() || m.cached_date != context.date) {
    m.cached_date_text.clear();
    append_date(m.cached_date_text, context.date);
    m.cached_date = context.date;
  }
  out += "Date: ";
  out += m.cached_date_text;
  out += kCrlf;

  out += "Message-ID: ";
  out += clean_header(context.message_id);
  out += kCrlf;

  if (m.cached_from_header.empty() || m.cached_from_input != context.from) {
    Mailbox from = split_mailbox(context.from);
    m.cached_from_header.clear();
    append_mailbox(m.cached_from_header, from.name, from.address, 6);
    m.cached_from_input = context.from;
  }
  out += "From: ";
  out += m.cached_from_header;
  out += kCrlf;

  out += "To: ";
  append_mailbox(out, to.name, to.email, 4);
  out += kCrlf;

  out += "Subject: ";
  append_header_text(out, m.cleaned, 9);
  out += kCrlf;

  out += "MIME-Version: 1.0\r\n";

  if (!context.unsubscribe_url.empty()) {
    clean_header_into(m.url, context.unsubscribe_url);
    // RFC 8058 §3.1: both headers, the URL in angle brackets. It stays on the header's line
    // even past 78 columns (a SHOULD): a URL cannot fold, and simple List-Unsubscribe readers
    // abound. Only past 998 octets does it move to a line of its own (RFC 2369 allows
    // folding whitespace before the "<").
    constexpr std::string_view kName = "List-Unsubscribe:";
    out += kName;
    out += kName.size() + 2 + m.url.size() + 1 > kMaxLineOctets ? "\r\n <" : " <";
    out += m.url;
    out += ">\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n";
  }
  check_header_lines(out);

  if (!html) {
    append_part_headers(out, "text/plain", text_encoding);
    append_body(out, m.body_text, text_encoding);
    // SMTP DATA must end with CRLF before the final dot.
    if (!ends_with_crlf(out)) out += kCrlf;
    return;
  }

  // "=_" occurs in neither encoding's output (quoted-printable follows "=" with hex or CRLF,
  // base64 has no "_"), so the boundary never collides with a body; a random per-run part
  // plus a counter keeps copies distinct (when one is forwarded inside another) without a
  // getrandom call per copy.
  std::string boundary = m.boundary_prefix;
  unsigned char count[8];  // big-endian: the hex reads as the copy's number
  for (int i = 0; i < 8; ++i) count[i] = static_cast<unsigned char>(m.copies >> (56 - 8 * i));
  // On the stack: to_hex's string would cost an allocation per copy.
  char hex[2 * sizeof count + 1];
  sodium_bin2hex(hex, sizeof hex, count, sizeof count);
  boundary.append(hex, 2 * sizeof count);
  ++m.copies;
  out += "Content-Type: multipart/alternative;\r\n boundary=\"";
  out += boundary;
  out += "\"\r\n\r\n--";
  out += boundary;
  out += kCrlf;
  append_part_headers(out, "text/plain", text_encoding);
  append_body(out, m.body_text, text_encoding);
  // The CRLF before each delimiter belongs to the delimiter (RFC 2046 §5.1.1), so a body
  // without a final newline keeps none.
  out += "\r\n--";
  out += boundary;
  out += kCrlf;
  append_part_headers(out, "text/html", html_encoding);
  append_body(out, m.body_html, html_encoding);
  out += "\r\n--";
  out += boundary;
  out += "--\r\n";
}

std::string compose(const MessageTemplate& message, const Recipient& to, const ComposeContext& context) {
  Composer composer(message);
  return composer.compose(to, context);
}

std::string make_message_id(std::string_view from) {
  std::string address = split_mailbox(clean_header(from)).address;
  std::size_t at = address.rfind('@');
  std::string domain = at == std::string::npos ? std::string() : ascii_domain(address.substr(at + 1));
  if (domain.empty()) domain = "localhost";
  // 16 bytes that look random and never repeat: a keyed hash of a per-process counter. One
  // getrandom() per process instead of one per copy (a syscall is ~4% of a copy's cost).
  static const std::array<unsigned char, crypto_generichash_KEYBYTES> key = [] {
    sodium_ready();
    std::array<unsigned char, crypto_generichash_KEYBYTES> k{};
    randombytes_buf(k.data(), k.size());
    return k;
  }();
  static std::atomic<std::uint64_t> counter{0};
  std::uint64_t n = counter.fetch_add(1, std::memory_order_relaxed);
  unsigned char bytes[16];
  crypto_generichash(bytes, sizeof bytes, reinterpret_cast<const unsigned char*>(&n), sizeof n, key.data(),
                     key.size());
  // Appended in place: g++ 12 at -O3 warns (wrongly, -Wrestrict) on a chain of operator+.
  std::string id;
  id.reserve(2 * sizeof bytes + domain.size() + 3);
  id += '<';
  id += to_hex(bytes, sizeof bytes);
  id += '@';
  id += domain;
  id += '>';
  return id;
}

}  // namespace mailer::mail
