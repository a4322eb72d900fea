// Email addresses as users type them and import them from Excel sheets typed by shop owners,
// so a rejection says what is wrong in the hint, not just "invalid"; and the one mailbox
// parser ("Name <addr>") that config and mail share.
#include "mailer/base/email_address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <optional>
#include <string>

#include "mailer/base/error.hpp"
#include "mailer/base/idn.hpp"
#include "mailer/base/text_fold.hpp"
#include "mailer/base/utf8.hpp"

namespace mailer {
namespace {

// Spaces that do not look like spaces. They arrive with addresses copied from web pages into
// Excel, and would otherwise produce an address that no server accepts.
bool is_invisible_space(char32_t cp) {
  return cp == 0x00A0 || cp == 0x00AD || cp == 0x1680 || cp == 0x180E || (cp >= 0x2000 && cp <= 0x200B) ||
         cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x2060 || cp == 0x3000 ||
         cp == 0xFEFF;
}

bool is_ascii_alnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// RFC 5322 atext, ASCII part; non-ASCII atext (RFC 6531) is handled by the caller.
bool is_atext(unsigned char c) {
  return is_ascii_alnum(c) || std::strchr("!#$%&'*+-/=?^_`{|}~", c) != nullptr;
}

bool is_ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// inet_pton(3) reads exactly the forms RFC 5321 §4.1.3 allows, but refuses an IPv4 part with
// a leading zero, which inet_aton and some resolvers would read as octal.
bool is_ip(int family, std::string_view s) {
  unsigned char buf[sizeof(struct in6_addr)];
  return ::inet_pton(family, std::string(s).c_str(), buf) == 1;
}

const char* address_literal_problem(std::string_view domain) {
  if (domain.back() != ']') return "an address in brackets must end with ']', as in [192.0.2.1]";
  const std::string_view inner = domain.substr(1, domain.size() - 2);
  constexpr std::string_view kTag = "ipv6:";
  if (inner.size() >= kTag.size() && std::equal(kTag.begin(), kTag.end(), inner.begin(), [](char a, char b) {
        return a == std::tolower(static_cast<unsigned char>(b));
      })) {
    if (is_ip(AF_INET6, inner.substr(kTag.size()))) return nullptr;
  } else if (is_ip(AF_INET, inner)) {
    return nullptr;
  }
  return "the part in brackets is not an IPv4 address or IPv6:address";
}

const char* domain_problem(std::string_view domain) {
  if (domain.front() == '[') return address_literal_problem(domain);
  std::size_t labels = 0;
  std::string_view last;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = std::min(domain.find('.', start), domain.size());
    const std::string_view label = domain.substr(start, dot - start);
    if (label.empty()) return "the domain has an empty part (a dot at its start or end, or two dots)";
    if (label.size() > 63) return "a part of the domain is longer than 63 bytes";
    if (label.front() == '-' || label.back() == '-') {
      return "a part of the domain starts or ends with '-'";
    }
    for (char ch : label) {
      const auto c = static_cast<unsigned char>(ch);
      if (c == ' ') return "the address contains a space";
      // Non-ASCII bytes are an IDN label in UTF-8 (already checked as UTF-8 by the caller).
      if (!is_ascii_alnum(c) && c != '-' && c < 0x80) {
        return "the domain may contain only letters, digits, '-' and '.'";
      }
    }
    ++labels;
    last = label;
    if (dot == domain.size()) break;
    start = dot + 1;
  }
  if (labels < 2) return "the domain needs a dot, as in example.ru";
  // RFC 3696 §2: a top-level domain is never all-numeric, so "ivan@192.0.2.1" is a mistyped
  // address literal rather than a host name.
  if (std::all_of(last.begin(), last.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return "the domain ends with a number; write an IP address in brackets, as in [192.0.2.1]";
  }
  return nullptr;
}

// Why `local` is not a dot-atom (RFC 5321 Dot-string, with RFC 6531's UTF-8), or nullptr.
const char* dot_atom_problem(std::string_view local) {
  if (local.empty()) return "nothing before the '@'";
  if (local.front() == '.' || local.back() == '.') {
    return "the part before the '@' starts or ends with a dot";
  }
  if (local.find("..") != std::string_view::npos) return "two dots in a row before the '@'";
  for (char ch : local) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == ' ') return "the address contains a space";
    if (c < 0x80 && c != '.' && !is_atext(c)) {
      return "the part before the '@' contains a character that needs quoting, such as , ; : ( ) "
             "< > [ ] \\ or \"";
    }
  }
  return nullptr;
}

// Why `a` is not a mailbox, or nullptr when it is one. The reasons become the error's hint.
const char* email_problem(std::string_view a) {
  if (a.empty()) return "the address is empty";
  for (std::size_t i = 0; i < a.size();) {
    const char32_t cp = utf8::decode(a, i);
    if (cp == utf8::kInvalid) return "the address is not valid UTF-8";
    if (cp == '\r' || cp == '\n') return "the address contains a line break";
    if (utf8::is_control(cp)) return "the address contains a control character";
    if (is_invisible_space(cp)) {
      return "the address contains a non-breaking or invisible space (often pasted from a web "
             "page)";
    }
  }
  if (a.size() > 254) return "the address is longer than 254 bytes";

  std::size_t at = 0;
  if (a.front() == '"') {
    // RFC 5321 Quoted-string: qtextSMTP (any printable but '"' and '\') or a quoted pair;
    // RFC 6531 adds non-ASCII UTF-8, and controls were rejected above.
    std::size_t i = 1;
    bool closed = false;
    while (i < a.size()) {
      if (a[i] == '\\') {
        if (i + 1 == a.size() || static_cast<unsigned char>(a[i + 1]) >= 0x80) {
          return "a '\\' in quotes must be followed by a printable ASCII character";
        }
        i += 2;
        continue;
      }
      if (a[i] == '"') {
        closed = true;
        break;
      }
      ++i;
    }
    if (!closed) return "the quoted part before the '@' has no closing quote";
    at = i + 1;
    if (at == a.size() || a[at] != '@') return "the closing quote must be followed by '@'";
    if (at == 2) return "nothing before the '@'";
  } else {
    at = a.find('@');
    if (at == std::string_view::npos) return "no '@' in the address, expected a form like ivan@example.ru";
    if (const char* why = dot_atom_problem(a.substr(0, at))) return why;
  }
  if (at > 64) return "the part before the '@' is longer than 64 bytes";
  const std::string_view domain = a.substr(at + 1);
  if (domain.empty()) return "nothing after the '@'";
  if (domain.find('@') != std::string_view::npos) return "more than one '@' in the address";
  return domain_problem(domain);
}

// The offending value as it can be shown on one terminal line: control characters and
// ill-formed bytes escaped, and a huge value cut.
std::string printable(std::string_view s) {
  constexpr std::size_t kMax = 100;
  std::string out;
  std::size_t i = 0;
  while (i < s.size() && out.size() < kMax) {
    const std::size_t start = i;
    utf8::decode(s, i);
    out += utf8::visible(s.substr(start, i - start));
  }
  if (i < s.size()) out += "...";
  return out;
}

[[noreturn]] void invalid_address(std::string_view field, std::string_view address, std::string hint) {
  throw Error(Errc::data, std::string(field) + ": invalid email address '" + printable(address) + "'",
              std::move(hint));
}

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// A quoted local part is kept only when it needs no quotes ("ivan"@x.ru is ivan@x.ru, RFC 5321
// 4.1.2); the rest cannot reach a mailbox reliably: libcurl splits RCPT TO at the first '@'
// and the sender refuses '<' and '>', many servers refuse quoted forms outright, and a
// spreadsheet or a mail client rarely keeps them intact. So they are refused at input, where
// the user can still ask for a plain address, and never become a bounce at send time.
std::string unquote_local_part(std::string_view address, std::string_view field) {
  const std::size_t at = address.rfind('@');
  const std::string_view inside = address.substr(1, at - 2);
  if (inside.find('\\') != std::string_view::npos || dot_atom_problem(inside) != nullptr)
    invalid_address(field, address,
                    "a quoted part before the '@' (as in \"ivan petrov\"@example.ru) cannot be sent "
                    "reliably; ask for a plain address");
  return std::string(inside) + std::string(address.substr(at));
}

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

std::string_view trim_wsp(std::string_view s) {
  while (!s.empty() && is_wsp(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_wsp(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

bool is_valid_email(std::string_view address) { return email_problem(address) == nullptr; }

std::string normalize_email(std::string_view address, std::string_view field) {
  while (!address.empty() && is_ascii_space(address.front())) address.remove_prefix(1);
  while (!address.empty() && is_ascii_space(address.back())) address.remove_suffix(1);
  if (const char* why = email_problem(address)) invalid_address(field, address, why);
  std::string out = address.front() == '"' ? unquote_local_part(address, field) : std::string(address);
  const std::size_t domain_start = out.rfind('@') + 1;
  bool ascii = true;
  for (std::size_t i = domain_start; i < out.size(); ++i) {
    if (out[i] >= 'A' && out[i] <= 'Z') out[i] = static_cast<char>(out[i] - 'A' + 'a');
    ascii = ascii && static_cast<unsigned char>(out[i]) < 0x80;
  }
  if (!ascii) {
    // An internationalised domain in its canonical form (UTS #46: lowercased, NFC), so that
    // "Почта.РФ" and "почта.рф" are one client and the punycode sent is the right one.
    auto canonical = idn::to_unicode(std::string_view(out).substr(domain_start));
    // A punycode label typed by hand may decode to a name IDNA refuses; it must come back.
    if (!canonical || !idn::to_ascii(*canonical))
      invalid_address(field, address, "the domain is not a valid internationalised domain name");
    out.replace(domain_start, std::string::npos, *canonical);
    // The mapping drops some characters altogether (U+034F, U+200B...): a label of only
    // those leaves an empty one behind, which no server accepts (found by tests/fuzz).
    if (const char* why = email_problem(out)) invalid_address(field, address, why);
  }
  return out;
}

std::string email_key(std::string_view email) {
  const std::size_t at = email.rfind('@');
  if (at == std::string_view::npos) return fold_case(email);
  std::string key;
  key.reserve(email.size());
  append_folded(key, email.substr(0, at));
  key += '@';
  const std::string_view domain = email.substr(at + 1);
  // The A-label, so that "пример.рф" and "xn--e1afmkfd.xn--p1ai" are one domain (SPEC §1);
  // punycode typed by hand goes through its Unicode form to come out canonical.
  std::optional<std::string> ascii;
  if (!is_ascii(domain)) {
    ascii = idn::to_ascii(domain);
  } else if (domain.find("xn--") != std::string_view::npos || domain.find("XN--") != std::string_view::npos ||
             domain.find("Xn--") != std::string_view::npos || domain.find("xN--") != std::string_view::npos) {
    if (auto unicode = idn::to_unicode(domain)) ascii = idn::to_ascii(*unicode);
  }
  if (ascii) {
    key += *ascii;
  } else {
    append_folded(key, domain);
  }
  return key;
}

Mailbox parse_mailbox(std::string_view s) {
  s = trim_wsp(s);
  Mailbox m;
  std::size_t lt = s.rfind('<');
  if (s.empty() || s.back() != '>' || lt == std::string_view::npos) {
    m.address = std::string(s);
    return m;
  }
  m.address = std::string(trim_wsp(s.substr(lt + 1, s.size() - lt - 2)));
  std::string_view name = trim_wsp(s.substr(0, lt));
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

}  // namespace mailer
