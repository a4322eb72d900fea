// Message composition (SPEC §3): templates + recipient -> RFC 5322/MIME bytes.
// Built for 100,000 copies a run: templates are parsed once, buffers are reused, and the
// encoders append straight into the output instead of building intermediate strings.
#include "mailer/compose.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <kainjow/mustache.hpp>
#include <utility>
#include <vector>

#include "mailer/error.hpp"
#include "mailer/idn.hpp"

namespace mailer::mail {
namespace {

using Data = kainjow::mustache::data;
using Mustache = kainjow::mustache::mustache;

constexpr std::size_t kFoldAt = 78;         // RFC 5322 §2.1.1: lines SHOULD stay within 78
constexpr std::size_t kMaxLine = 998;       // RFC 5322 §2.1.1: lines MUST stay within 998
constexpr std::size_t kMaxWord = 75;        // RFC 2047 §2: an encoded word's length limit
constexpr std::size_t kQpLine = 76;         // RFC 2045 §6.7 (5): encoded line length limit
constexpr std::size_t kMaxPlainName = 200;  // longer ASCII names are encoded so they fold
constexpr char kHexUpper[] = "0123456789ABCDEF";
constexpr char kHexLower[] = "0123456789abcdef";
constexpr std::string_view kCrlf = "\r\n";

void ensure_sodium() {
  // A function-local static makes the one-time init thread-safe without a lock per call.
  static const int status = sodium_init();
  if (status < 0) throw Error(Errc::internal, "libsodium failed to initialise");
}

std::string random_hex(std::size_t bytes) {
  ensure_sodium();
  unsigned char buf[32];
  if (bytes > sizeof buf) bytes = sizeof buf;
  randombytes_buf(buf, bytes);
  std::string out(bytes * 2, '0');
  for (std::size_t i = 0; i < bytes; ++i) {
    out[2 * i] = kHexLower[buf[i] >> 4];
    out[2 * i + 1] = kHexLower[buf[i] & 15];
  }
  return out;
}

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_wsp(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_wsp(s.back())) s.remove_suffix(1);
  return s;
}

// Header values come from the database and from rendered templates, so a CR or LF here
// would let a recipient's name inject headers: each run of them becomes one space, and
// the other control characters (meaningless in a header) are dropped.
void clean_header_into(std::string& dst, std::string_view src) {
  auto is_control = [](char ch) {
    auto c = static_cast<unsigned char>(ch);
    return (c < 0x20 && c != '\t') || c == 0x7f;
  };
  if (std::none_of(src.begin(), src.end(), is_control)) {
    dst.assign(src);
    return;
  }
  dst.clear();
  dst.reserve(src.size());
  bool in_break = false;
  for (char ch : src) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '\r' || c == '\n') {
      if (!in_break) dst += ' ';
      in_break = true;
      continue;
    }
    in_break = false;
    if ((c < 0x20 && c != '\t') || c == 0x7f) continue;
    dst += ch;
  }
}

std::string clean_header(std::string_view src) {
  std::string out;
  clean_header_into(out, src);
  return out;
}

// Text that can go into a header as it is: printable ASCII that no decoder would mistake
// for an encoded word.
bool is_plain_ascii(std::string_view s) {
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t') || c > 0x7e) return false;
  }
  return s.find("=?") == std::string_view::npos;
}

void append_base64(std::string& out, std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    std::uint32_t v = (std::uint32_t(static_cast<unsigned char>(in[i])) << 16) |
                      (std::uint32_t(static_cast<unsigned char>(in[i + 1])) << 8) |
                      std::uint32_t(static_cast<unsigned char>(in[i + 2]));
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (std::size_t rest = in.size() - i; rest > 0) {
    std::uint32_t v = std::uint32_t(static_cast<unsigned char>(in[i])) << 16;
    if (rest == 2) v |= std::uint32_t(static_cast<unsigned char>(in[i + 1])) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
}

// RFC 2047 "B" words, each <= 75 characters and each line <= 78 where the start column
// allows it; a word never ends inside a UTF-8 sequence, because some decoders decode
// each word on its own. Returns the column after the last word.
std::size_t append_encoded_words(std::string& out, std::string_view text, std::size_t col) {
  constexpr std::size_t kOverhead = 12;  // "=?UTF-8?B?" + "?="
  std::size_t i = 0;
  bool first = true;
  while (i < text.size()) {
    if (!first) {
      out += "\r\n ";
      col = 1;
    }
    std::size_t room = col < kFoldAt ? kFoldAt - col : 0;
    std::size_t chars = room < kMaxWord ? room : kMaxWord;
    std::size_t bytes = chars > kOverhead + 4 ? (chars - kOverhead) / 4 * 3 : 3;
    std::size_t n = text.size() - i;
    if (n > bytes) {
      n = bytes;
      while (n > 0 && (static_cast<unsigned char>(text[i + n]) & 0xC0) == 0x80) --n;
      if (n == 0) n = bytes;  // invalid UTF-8: a run of continuation bytes
    }
    out += "=?UTF-8?B?";
    append_base64(out, text.substr(i, n));
    out += "?=";
    col += kOverhead + (n + 2) / 3 * 4;
    i += n;
    first = false;
  }
  return col;
}

// Folding keeps the text: unfolding only removes the CRLF before each whitespace.
// Returns false (and appends nothing) when a word is too long for a line even folded.
bool append_folded_ascii(std::string& out, std::string_view text, std::size_t& col) {
  auto fold = [text](std::string* dst, std::size_t c) {
    std::size_t n = text.size(), longest = 0, i = 0;
    while (i < n) {
      std::size_t j = i;
      while (j < n && is_wsp(text[j])) ++j;
      std::size_t k = j;
      while (k < n && !is_wsp(text[k])) ++k;
      // Never fold before trailing whitespace alone: a whitespace-only line is forbidden.
      if (i > 0 && k > j && c + (k - i) > kFoldAt) {
        if (dst) *dst += kCrlf;
        c = 0;
      }
      if (dst) dst->append(text.substr(i, k - i));
      c += k - i;
      longest = std::max(longest, c);
      i = k;
    }
    return std::pair{longest, c};
  };
  if (fold(nullptr, col).first > kMaxLine) return false;
  col = fold(&out, col).second;
  return true;
}

// `text` must be clean (no CR/LF). Returns the column after it.
std::size_t append_header_text(std::string& out, std::string_view text, std::size_t col) {
  if (is_plain_ascii(text) && append_folded_ascii(out, text, col)) return col;
  return append_encoded_words(out, text, col);
}

bool is_atext(char ch) {
  auto c = static_cast<unsigned char>(ch);
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(ch) != std::string_view::npos;
}

// A phrase of atoms separated by single spaces needs no quoting (RFC 5322 §3.2.5).
bool is_atom_phrase(std::string_view s) {
  if (s.empty() || s.front() == ' ' || s.back() == ' ') return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == ' ') {
      if (s[i + 1] == ' ') return false;
    } else if (!is_atext(s[i])) {
      return false;
    }
  }
  return true;
}

// Headers must be ASCII without SMTPUTF8, so non-ASCII domains are written as A-labels.
// A domain that is not a valid IDN is left as it is rather than replaced by another one.
std::string ascii_domain(std::string_view domain) { return idn::to_ascii(domain).value_or(std::string(domain)); }

std::string ascii_address(std::string_view address) {
  std::size_t at = address.rfind('@');
  if (at == std::string_view::npos) return std::string(address);
  std::string out(address.substr(0, at + 1));
  out += ascii_domain(address.substr(at + 1));
  return out;
}

struct Mailbox {
  std::string name;     // unquoted display name, may be empty
  std::string address;  // as written
};

Mailbox split_mailbox(std::string_view s) {
  s = trim(s);
  Mailbox m;
  std::size_t lt = s.rfind('<');
  if (s.empty() || s.back() != '>' || lt == std::string_view::npos) {
    m.address = std::string(s);
    return m;
  }
  m.address = std::string(trim(s.substr(lt + 1, s.size() - lt - 2)));
  std::string_view name = trim(s.substr(0, lt));
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
    name = name.substr(1, name.size() - 2);
    for (std::size_t i = 0; i < name.size(); ++i) {
      if (name[i] == '\\' && i + 1 < name.size()) ++i;
      m.name += name[i];
    }
  } else {
    m.name = std::string(name);
  }
  return m;
}

// name-addr or a bare addr-spec (RFC 5322 §3.4). Returns the column after it.
std::size_t append_mailbox(std::string& out, std::string_view raw_name, std::string_view raw_address,
                           std::size_t col) {
  std::string name = clean_header(raw_name);
  std::string_view shown = trim(name);
  std::string address = ascii_address(trim(clean_header(raw_address)));
  if (shown.empty()) {
    out += address;
    return col + address.size();
  }
  if (is_plain_ascii(shown) && shown.size() <= kMaxPlainName) {
    if (is_atom_phrase(shown)) {
      out += shown;
      col += shown.size();
    } else {
      out += '"';
      for (char c : shown) {
        if (c == '"' || c == '\\') {
          out += '\\';
          ++col;
        }
        out += c;
      }
      out += '"';
      col += shown.size() + 2;
    }
  } else {
    col = append_encoded_words(out, shown, col);
  }
  if (col + 3 + address.size() > kFoldAt) {
    out += "\r\n <";
    col = 2;
  } else {
    out += " <";
    col += 2;
  }
  out += address;
  out += '>';
  return col + address.size() + 1;
}

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

// What quoted-printable does with each byte (RFC 2045 §6.7).
enum QpClass : unsigned char { kQpLiteral, kQpEscape, kQpSpace, kQpBreak, kQpDot };

constexpr std::array<unsigned char, 256> make_qp_classes() {
  std::array<unsigned char, 256> t{};
  for (int c = 0; c < 256; ++c) t[c] = (c >= 33 && c <= 126 && c != '=') ? kQpLiteral : kQpEscape;
  t[' '] = t['\t'] = kQpSpace;
  t['\r'] = t['\n'] = kQpBreak;
  t['.'] = kQpDot;
  return t;
}
constexpr std::array<unsigned char, 256> kQpClasses = make_qp_classes();

// Worst case: every byte escaped (3 octets), and a soft break (3) every 25 bytes.
constexpr std::size_t qp_bound(std::size_t n) { return 3 * n + 3 * (n / 25 + 1); }

// Writes through a raw pointer into a buffer sized for the worst case: this loop is the
// hottest part of a send, and per-character std::string appends cost several times more.
void append_qp(std::string& out, std::string_view text) {
  const std::size_t n = text.size();
  const std::size_t start = out.size();
  out.resize(start + qp_bound(n));
  char* const base = out.data();
  char* p = base + start;
  char* line = p;
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char c = in[i];
    unsigned char cls = kQpClasses[c];
    // Fast paths: the common bytes, far enough from the line's end not to need a break.
    const auto col = static_cast<std::size_t>(p - line);
    if (cls == kQpLiteral && col + 1 < kQpLine) {
      *p++ = static_cast<char>(c);
      continue;
    }
    if (cls == kQpEscape && col + 3 < kQpLine) {
      p[0] = '=';
      p[1] = kHexUpper[c >> 4];
      p[2] = kHexUpper[c & 15];
      p += 3;
      continue;
    }
    if (cls == kQpBreak) {
      if (c == '\r' && i + 1 < n && in[i + 1] == '\n') ++i;
      *p++ = '\r';
      *p++ = '\n';
      line = p;
      continue;
    }
    const bool line_end = i + 1 == n || kQpClasses[in[i + 1]] == kQpBreak;
    // Whitespace before a line break would be stripped by transports (§6.7 (3)).
    if (cls == kQpSpace) cls = line_end ? kQpEscape : kQpLiteral;
    std::size_t len = cls == kQpEscape ? 3 : 1;
    // The last character of a line may use column 76; any other leaves room for "=".
    if (col + len > (line_end ? kQpLine : kQpLine - 1)) {
      *p++ = '=';
      *p++ = '\r';
      *p++ = '\n';
      line = p;
    }
    // A dot line would end an unstuffed SMTP DATA; =2E decodes to the same text anyway.
    if (cls == kQpDot) cls = p == line ? kQpEscape : kQpLiteral;
    if (cls == kQpEscape) {
      p[0] = '=';
      p[1] = kHexUpper[c >> 4];
      p[2] = kHexUpper[c & 15];
      p += 3;
    } else {
      *p++ = static_cast<char>(c);
    }
  }
  out.resize(static_cast<std::size_t>(p - base));
}

bool ends_with_crlf(const std::string& s) {
  return s.size() >= 2 && s[s.size() - 2] == '\r' && s.back() == '\n';
}

enum Var : int { kName, kEmail, kUnsubscribeUrl, kVarCount };

int var_of(std::string_view name) {
  if (name == "name") return kName;
  if (name == "email") return kEmail;
  if (name == "unsubscribe_url") return kUnsubscribeUrl;
  return -1;
}

// The template variables, looked up by mustache through this context instead of a data
// map, so that an unknown name is noticed and each copy only swaps three values.
class Vars final : public kainjow::mustache::basic_context<std::string> {
 public:
  Vars() {
    for (auto& d : data_) d = Data(false);
  }

  // The values are viewed, not copied: they must outlive the copy being composed.
  void set(const Recipient& to, std::string_view url) {
    values_ = {to.name, to.email, url};
    data_current_ = false;
  }

  std::string_view value(int var) const { return values_[static_cast<std::size_t>(var)]; }

  // Builds mustache's values; only templates with sections need them, so most copies
  // never pay for these allocations.
  void prepare() {
    if (data_current_) return;
    for (std::size_t i = 0; i < kVarCount; ++i) assign(data_[i], values_[i]);
    data_current_ = true;
  }

  // Bit i of `mask` makes variable i true; the checker tries every combination so that
  // every section, taken or not, is walked at least once.
  void set_truth(unsigned mask) {
    for (std::size_t i = 0; i < kVarCount; ++i) data_[i] = (mask >> i) & 1 ? Data("x") : Data(false);
    data_current_ = true;
  }

  const std::string& problem() const { return problem_; }

  void push(const Data* data) override { stack_.push_back(data); }
  void pop() override { stack_.pop_back(); }

  const Data* get(const std::string& name) const override {
    if (int var = var_of(name); var >= 0) return &data_[static_cast<std::size_t>(var)];
    if (name == "." && !stack_.empty()) return stack_.back();
    if (problem_.empty()) problem_ = "unknown variable {{" + name + "}}";
    return nullptr;
  }

  const Data* get_partial(const std::string& name) const override {
    if (problem_.empty()) problem_ = "partials are not supported: {{>" + name + "}}";
    return nullptr;
  }

 private:
  // An empty value is false, so {{#name}}...{{/name}} skips a recipient without a name
  // (kainjow treats every string, even "", as true).
  static void assign(Data& slot, std::string_view value) {
    slot = value.empty() ? Data(false) : Data(std::string(value));
  }

  std::array<std::string_view, kVarCount> values_;
  std::array<Data, kVarCount> data_;
  bool data_current_ = false;
  std::vector<const Data*> stack_;
  mutable std::string problem_;
};

struct StringSink {
  std::string& out;
  StringSink& operator<<(const std::string& s) {
    out += s;
    return *this;
  }
};

Error template_error(std::string_view field, std::string_view what, const char* hint) {
  std::string message(field);
  message += ": template error: ";
  message += what;
  return Error(Errc::data, std::move(message), hint);
}

constexpr const char* kSyntaxHint = "close every {{tag}} with }}, and every {{#section}} with {{/section}}";
constexpr const char* kVariableHint = "the variables are {{name}}, {{email}} and {{unsubscribe_url}}";

// The same five characters as kainjow's html_escape, so both render paths agree.
void append_html_escaped(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
}

// std::isspace in the C locale, as kainjow trims tag names.
std::string_view trim_tag(std::string_view s) {
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

class Template {
 public:
  Template() = default;

  // `check` also walks every section for unknown variables (eight renders, paid once per
  // template per run).
  Template(std::string_view text, std::string_view field, bool html, bool check) : text_(text) {
    // Without "{{" there is no tag (a delimiter change is itself a tag).
    if (text_.find("{{") == std::string::npos) {
      plain_.push_back(Segment{0, text_.size(), -1, false});
      return;
    }
    tmpl_ = std::make_unique<Mustache>(text_);
    if (!tmpl_->is_valid()) throw template_error(field, tmpl_->error_message(), kSyntaxHint);
    if (!html) tmpl_->set_custom_escape([](const std::string& s) { return s; });
    if (check) {
      Vars vars;
      std::string scratch;
      for (unsigned mask = 0; mask < (1u << kVarCount); ++mask) {
        vars.set_truth(mask);
        scratch.clear();
        StringSink sink{scratch};
        tmpl_->render(vars, sink);
        if (!vars.problem().empty()) throw template_error(field, vars.problem(), kVariableHint);
        if (!tmpl_->is_valid()) throw template_error(field, tmpl_->error_message(), kSyntaxHint);
      }
    }
    if (split_plain(html)) tmpl_.reset();
  }

  void render(Vars& vars, std::string& out) {
    if (tmpl_) {
      vars.prepare();
      StringSink sink{out};
      tmpl_->render(vars, sink);
      return;
    }
    for (const Segment& seg : plain_) {
      out.append(text_, seg.begin, seg.size);
      if (seg.var < 0) continue;
      if (seg.escape) {
        append_html_escaped(out, vars.value(seg.var));
      } else {
        out += vars.value(seg.var);
      }
    }
  }

 private:
  // Literal text, then a variable (var < 0: none).
  struct Segment {
    std::size_t begin, size;
    int var;
    bool escape;
  };

  // A template of text and variable tags only renders to that text with the values put in
  // (kainjow's standalone-line rules concern sections only), so it can skip mustache's
  // tree walk for each copy: mustache still parsed and checked it. Anything else
  // (sections, comments, delimiter changes) keeps using mustache.
  bool split_plain(bool html) {
    std::size_t pos = 0;
    while (true) {
      std::size_t open = text_.find("{{", pos);
      if (open == std::string::npos) {
        plain_.push_back(Segment{pos, text_.size() - pos, -1, false});
        return true;
      }
      std::size_t inner = open + 2, close, next;
      const bool triple = inner < text_.size() && text_[inner] == '{';
      bool escape = html && !triple;
      if (triple) {
        close = text_.find("}}}", ++inner);
        next = close + 3;
      } else {
        close = text_.find("}}", inner);
        next = close + 2;
      }
      if (close == std::string::npos) return fail_plain();
      std::string_view tag = trim_tag(std::string_view(text_).substr(inner, close - inner));
      if (!triple && !tag.empty() && tag.front() == '&') {
        tag = trim_tag(tag.substr(1));
        escape = false;
      }
      int var = var_of(tag);
      if (var < 0) return fail_plain();
      plain_.push_back(Segment{pos, open - pos, var, escape});
      pos = next;
    }
  }

  bool fail_plain() {
    plain_.clear();
    return false;
  }

  std::string text_;
  std::vector<Segment> plain_;      // used when tmpl_ is null
  std::unique_ptr<Mustache> tmpl_;  // null: the template is plain
};

}  // namespace

struct Composer::Impl {
  Template subject, text;
  std::optional<Template> html;
  Vars vars;
  // Scratch buffers kept between copies so a run allocates them once.
  std::string rendered, cleaned, body_text, body_html;
  // Date and From are the same for most copies of a run.
  Time cached_date = 0;
  std::string cached_date_text;
  std::string cached_from_input, cached_from_header;
  std::string boundary_prefix = "=_mailer_" + random_hex(8) + "_";
  std::uint64_t copies = 0;
};

Composer::Composer(const MessageTemplate& message) : impl_(std::make_unique<Impl>()) {
  impl_->subject = Template(message.subject, "subject", false, true);
  impl_->text = Template(message.body_text, "body_text", false, true);
  if (message.body_html) impl_->html.emplace(*message.body_html, "body_html", true, true);
}

Composer::~Composer() = default;
Composer::Composer(Composer&&) noexcept = default;
Composer& Composer::operator=(Composer&&) noexcept = default;

std::string Composer::compose(const Recipient& to, const ComposeContext& context) {
  std::string out;
  compose(to, context, out);
  return out;
}

void Composer::compose(const Recipient& to, const ComposeContext& context, std::string& out) {
  Impl& m = *impl_;
  m.vars.set(to, context.unsubscribe_url);

  m.rendered.clear();
  m.subject.render(m.vars, m.rendered);
  clean_header_into(m.cleaned, m.rendered);
  m.body_text.clear();
  m.text.render(m.vars, m.body_text);
  if (m.html) {
    m.body_html.clear();
    m.html->render(m.vars, m.body_html);
  }

  out.clear();
  // One allocation for the worst case is cheaper than growing several times.
  out.reserve(1024 + 2 * m.cleaned.size() + qp_bound(m.body_text.size()) +
              (m.html ? qp_bound(m.body_html.size()) : 0) + 2 * m.cached_from_header.size() +
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
    std::string url = clean_header(context.unsubscribe_url);
    // RFC 8058 §3.1: both headers, the URL in angle brackets. Kept on one line even past
    // 78 columns (a SHOULD): a URL cannot fold, and simple List-Unsubscribe readers abound.
    out += "List-Unsubscribe: <";
    out += url;
    out += ">\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n";
  }

  static constexpr std::string_view kTextPart =
      "Content-Type: text/plain; charset=UTF-8\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
  if (!m.html) {
    out += kTextPart;
    append_qp(out, m.body_text);
    // SMTP DATA must end with CRLF before the final dot.
    if (!ends_with_crlf(out)) out += kCrlf;
    return;
  }

  // "=_" cannot occur in quoted-printable output, so the boundary never collides with a
  // body; a random per-run part plus a counter keeps copies distinct (when one is forwarded
  // inside another) without a getrandom call per copy.
  std::string boundary = m.boundary_prefix;
  for (int shift = 60; shift >= 0; shift -= 4) boundary += kHexLower[(m.copies >> shift) & 15];
  ++m.copies;
  out += "Content-Type: multipart/alternative;\r\n boundary=\"";
  out += boundary;
  out += "\"\r\n\r\n--";
  out += boundary;
  out += kCrlf;
  out += kTextPart;
  append_qp(out, m.body_text);
  // The CRLF before each delimiter belongs to the delimiter (RFC 2046 §5.1.1), so a body
  // without a final newline keeps none.
  out += "\r\n--";
  out += boundary;
  out +=
      "\r\nContent-Type: text/html; charset=UTF-8\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
  append_qp(out, m.body_html);
  out += "\r\n--";
  out += boundary;
  out += "--\r\n";
}

void check_template(std::string_view text, std::string_view field) {
  Template checked(text, field, false, true);
}

std::string render_template(std::string_view text, const Recipient& to, std::string_view unsubscribe_url,
                            bool html) {
  Template tmpl(text, "template", html, false);
  Vars vars;
  vars.set(to, unsubscribe_url);
  std::string out;
  tmpl.render(vars, out);
  return out;
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
    ensure_sodium();
    std::array<unsigned char, crypto_generichash_KEYBYTES> k{};
    randombytes_buf(k.data(), k.size());
    return k;
  }();
  static std::atomic<std::uint64_t> counter{0};
  std::uint64_t n = counter.fetch_add(1, std::memory_order_relaxed);
  unsigned char bytes[16];
  crypto_generichash(bytes, sizeof bytes, reinterpret_cast<const unsigned char*>(&n), sizeof n, key.data(),
                     key.size());
  std::string id = "<";
  for (unsigned char b : bytes) {
    id += kHexLower[b >> 4];
    id += kHexLower[b & 15];
  }
  id += '@';
  id += domain;
  id += '>';
  return id;
}

std::string address_of(std::string_view mailbox) { return split_mailbox(mailbox).address; }

std::string envelope_address(std::string_view address) { return ascii_address(address); }

std::string encode_header_text(std::string_view text) {
  std::string cleaned = clean_header(text);
  std::string out;
  append_header_text(out, cleaned, 9);
  return out;
}

std::string quoted_printable(std::string_view text) {
  std::string out;
  append_qp(out, text);
  return out;
}

}  // namespace mailer::mail
