// Validators for what users type or import. Addresses come from Excel sheets typed by shop
// owners, so a rejection says what is wrong in the hint, not just "invalid".
#include "mailer/validate.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <string>

#include "mailer/error.hpp"
#include "mailer/idn.hpp"

namespace mailer {
namespace {

constexpr char32_t kInvalid = 0xFFFFFFFF;

// Decodes the code point at s[i] and advances past it. An ill-formed sequence yields kInvalid
// and advances one byte, so callers that count or print can carry on after it.
char32_t next_code_point(std::string_view s, std::size_t& i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  // The second byte's range is narrowed for E0/ED/F0/F4, which is what excludes overlong
  // forms, UTF-16 surrogates and code points past U+10FFFF (Unicode Table 3-7).
  std::size_t len = 0;
  char32_t cp = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    ++i;
    return kInvalid;
  }
  if (s.size() - i < len) {
    ++i;
    return kInvalid;
  }
  for (std::size_t k = 1; k < len; ++k) {
    const unsigned char b = byte(i + k);
    if (b < lo || b > hi) {
      ++i;
      return kInvalid;
    }
    lo = 0x80;
    hi = 0xBF;
    cp = (cp << 6) | (b & 0x3F);
  }
  i += len;
  return cp;
}

// Offset of the first ill-formed byte, or npos.
std::size_t find_invalid_utf8(std::string_view s) {
  constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;
  std::size_t i = 0;
  while (i < s.size()) {
    // CSV imports are mostly ASCII: skip eight ASCII bytes at a time.
    if (s.size() - i >= 8) {
      std::uint64_t word;
      std::memcpy(&word, s.data() + i, sizeof word);
      if ((word & kHighBits) == 0) {
        i += 8;
        continue;
      }
    }
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
      ++i;
      continue;
    }
    // Cyrillic is two-byte sequences throughout, so they skip the general decoder.
    if (b0 >= 0xC2 && b0 <= 0xDF && i + 1 < s.size() &&
        (static_cast<unsigned char>(s[i + 1]) & 0xC0) == 0x80) {
      i += 2;
      continue;
    }
    const std::size_t at = i;
    if (next_code_point(s, i) == kInvalid) return at;
  }
  return std::string_view::npos;
}

bool is_control(char32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

// Spaces that do not look like spaces. They arrive with addresses copied from web pages into
// Excel, and would otherwise produce an address that no server accepts.
bool is_invisible_space(char32_t cp) {
  return cp == 0x00A0 || cp == 0x00AD || cp == 0x1680 || cp == 0x180E ||
         (cp >= 0x2000 && cp <= 0x200B) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
         cp == 0x205F || cp == 0x2060 || cp == 0x3000 || cp == 0xFEFF;
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

bool is_ipv4(std::string_view s) {
  int parts = 0;
  std::size_t i = 0;
  while (true) {
    int value = 0;
    std::size_t digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && digits < 4) {
      value = value * 10 + (s[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0 || digits > 3 || value > 255) return false;
    ++parts;
    if (i == s.size()) return parts == 4;
    if (s[i] != '.' || parts == 4) return false;
    ++i;
  }
}

// RFC 4291 text form, including "::" compression and a trailing dotted IPv4 part.
bool is_ipv6(std::string_view s) {
  int groups = 0;
  bool compressed = false;
  std::size_t i = 0;
  if (s.starts_with("::")) {
    compressed = true;
    i = 2;
  } else if (s.starts_with(":")) {
    return false;
  }
  while (i < s.size()) {
    const std::size_t colon = s.find(':', i);
    const std::string_view part =
        s.substr(i, colon == std::string_view::npos ? std::string_view::npos : colon - i);
    if (colon == std::string_view::npos && part.find('.') != std::string_view::npos) {
      if (!is_ipv4(part)) return false;
      groups += 2;
      break;
    }
    if (part.empty() || part.size() > 4) return false;
    for (char c : part) {
      if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
    }
    ++groups;
    if (colon == std::string_view::npos) break;
    i = colon + 1;
    if (i < s.size() && s[i] == ':') {
      if (compressed) return false;
      compressed = true;
      ++i;
    } else if (i == s.size()) {
      return false;  // a single trailing ':'
    }
  }
  return compressed ? groups <= 7 : groups == 8;
}

const char* address_literal_problem(std::string_view domain) {
  if (domain.back() != ']') return "an address in brackets must end with ']', as in [192.0.2.1]";
  const std::string_view inner = domain.substr(1, domain.size() - 2);
  constexpr std::string_view kTag = "ipv6:";
  if (inner.size() >= kTag.size() &&
      std::equal(kTag.begin(), kTag.end(), inner.begin(),
                 [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); })) {
    if (is_ipv6(inner.substr(kTag.size()))) return nullptr;
  } else if (is_ipv4(inner)) {
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
    if (label.empty())
      return "the domain has an empty part (a dot at its start or end, or two dots)";
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

// Why `a` is not a mailbox, or nullptr when it is one. The reasons become the error's hint.
const char* email_problem(std::string_view a) {
  if (a.empty()) return "the address is empty";
  for (std::size_t i = 0; i < a.size();) {
    const char32_t cp = next_code_point(a, i);
    if (cp == kInvalid) return "the address is not valid UTF-8";
    if (cp == '\r' || cp == '\n') return "the address contains a line break";
    if (is_control(cp)) return "the address contains a control character";
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
    if (at == std::string_view::npos)
      return "no '@' in the address, expected a form like ivan@example.ru";
    if (at == 0) return "nothing before the '@'";
    const std::string_view local = a.substr(0, at);
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
  }
  if (at > 64) return "the part before the '@' is longer than 64 bytes";
  const std::string_view domain = a.substr(at + 1);
  if (domain.empty()) return "nothing after the '@'";
  if (domain.find('@') != std::string_view::npos) return "more than one '@' in the address";
  return domain_problem(domain);
}

// The offending value as it can be shown on one terminal line: control characters and
// ill-formed bytes become \xNN, and a huge value is cut.
std::string printable(std::string_view s) {
  constexpr std::size_t kMax = 100;
  std::string out;
  std::size_t i = 0;
  while (i < s.size() && out.size() < kMax) {
    const std::size_t start = i;
    const char32_t cp = next_code_point(s, i);
    if (cp == kInvalid || is_control(cp)) {
      for (std::size_t k = start; k < i; ++k) {
        static constexpr char kHex[] = "0123456789ABCDEF";
        const auto b = static_cast<unsigned char>(s[k]);
        out += "\\x";
        out += kHex[b >> 4];
        out += kHex[b & 0x0F];
      }
    } else {
      out.append(s.substr(start, i - start));
    }
  }
  if (i < s.size()) out += "...";
  return out;
}

struct WidthRange {
  char32_t first;
  char32_t last;
  unsigned char width;
};

// Code points whose terminal width is not 1: combining marks and format characters take no
// column, East Asian Wide and Fullwidth take two (UAX #11). Sorted; anything absent is 1.
// clang-format off
constexpr WidthRange kWidths[] = {
    {0x0300, 0x036F, 0},   {0x0483, 0x0489, 0},   {0x0591, 0x05BD, 0},   {0x05BF, 0x05BF, 0},
    {0x05C1, 0x05C2, 0},   {0x05C4, 0x05C5, 0},   {0x05C7, 0x05C7, 0},   {0x0610, 0x061A, 0},
    {0x064B, 0x065F, 0},   {0x0670, 0x0670, 0},   {0x06D6, 0x06DC, 0},   {0x06DF, 0x06E4, 0},
    {0x06E7, 0x06E8, 0},   {0x06EA, 0x06ED, 0},   {0x1100, 0x115F, 2},   {0x1160, 0x11FF, 0},
    {0x1AB0, 0x1AFF, 0},   {0x1DC0, 0x1DFF, 0},   {0x200B, 0x200F, 0},   {0x202A, 0x202E, 0},
    {0x2060, 0x2064, 0},   {0x20D0, 0x20FF, 0},   {0x231A, 0x231B, 2},   {0x2329, 0x232A, 2},
    {0x23E9, 0x23EC, 2},   {0x23F0, 0x23F0, 2},   {0x23F3, 0x23F3, 2},   {0x25FD, 0x25FE, 2},
    {0x2614, 0x2615, 2},   {0x2648, 0x2653, 2},   {0x267F, 0x267F, 2},   {0x2693, 0x2693, 2},
    {0x26A1, 0x26A1, 2},   {0x26AA, 0x26AB, 2},   {0x26BD, 0x26BE, 2},   {0x26C4, 0x26C5, 2},
    {0x26CE, 0x26CE, 2},   {0x26D4, 0x26D4, 2},   {0x26EA, 0x26EA, 2},   {0x26F2, 0x26F3, 2},
    {0x26F5, 0x26F5, 2},   {0x26FA, 0x26FA, 2},   {0x26FD, 0x26FD, 2},   {0x2705, 0x2705, 2},
    {0x270A, 0x270B, 2},   {0x2728, 0x2728, 2},   {0x274C, 0x274C, 2},   {0x274E, 0x274E, 2},
    {0x2753, 0x2755, 2},   {0x2757, 0x2757, 2},   {0x2795, 0x2797, 2},   {0x27B0, 0x27B0, 2},
    {0x27BF, 0x27BF, 2},   {0x2B1B, 0x2B1C, 2},   {0x2B50, 0x2B50, 2},   {0x2B55, 0x2B55, 2},
    {0x2E80, 0x303E, 2},   {0x3041, 0x33FF, 2},   {0x3400, 0x4DBF, 2},   {0x4E00, 0x9FFF, 2},
    {0xA000, 0xA4CF, 2},   {0xA960, 0xA97F, 2},   {0xAC00, 0xD7A3, 2},   {0xF900, 0xFAFF, 2},
    {0xFE00, 0xFE0F, 0},   {0xFE10, 0xFE19, 2},   {0xFE20, 0xFE2F, 0},   {0xFE30, 0xFE6F, 2},
    {0xFEFF, 0xFEFF, 0},   {0xFF00, 0xFF60, 2},   {0xFFE0, 0xFFE6, 2},   {0x16FE0, 0x16FE4, 2},
    {0x17000, 0x18CFF, 2}, {0x1B000, 0x1B2FF, 2}, {0x1F004, 0x1F004, 2}, {0x1F0CF, 0x1F0CF, 2},
    {0x1F18E, 0x1F18E, 2}, {0x1F191, 0x1F19A, 2}, {0x1F200, 0x1F251, 2}, {0x1F300, 0x1F320, 2},
    {0x1F32D, 0x1F335, 2}, {0x1F337, 0x1F37C, 2}, {0x1F37E, 0x1F393, 2}, {0x1F3A0, 0x1F3CA, 2},
    {0x1F3CF, 0x1F3D3, 2}, {0x1F3E0, 0x1F3F0, 2}, {0x1F3F4, 0x1F3F4, 2}, {0x1F3F8, 0x1F43E, 2},
    {0x1F440, 0x1F440, 2}, {0x1F442, 0x1F4FC, 2}, {0x1F4FF, 0x1F53D, 2}, {0x1F54B, 0x1F54E, 2},
    {0x1F550, 0x1F567, 2}, {0x1F57A, 0x1F57A, 2}, {0x1F595, 0x1F596, 2}, {0x1F5A4, 0x1F5A4, 2},
    {0x1F5FB, 0x1F64F, 2}, {0x1F680, 0x1F6C5, 2}, {0x1F6CC, 0x1F6CC, 2}, {0x1F6D0, 0x1F6D2, 2},
    {0x1F6D5, 0x1F6D7, 2}, {0x1F6EB, 0x1F6EC, 2}, {0x1F6F4, 0x1F6FC, 2}, {0x1F7E0, 0x1F7EB, 2},
    {0x1F90C, 0x1F93A, 2}, {0x1F93C, 0x1F945, 2}, {0x1F947, 0x1F9FF, 2}, {0x1FA70, 0x1FAFF, 2},
    {0x20000, 0x2FFFD, 2}, {0x30000, 0x3FFFD, 2}, {0xE0001, 0xE0001, 0}, {0xE0020, 0xE007F, 0},
    {0xE0100, 0xE01EF, 0},
};
// clang-format on
static_assert(std::is_sorted(std::begin(kWidths), std::end(kWidths),
                             [](const WidthRange& a, const WidthRange& b) {
                               return a.last < b.first;
                             }),
              "kWidths must be sorted and must not overlap: lookup is a binary search");

std::size_t code_point_width(char32_t cp) {
  if (cp < 0x7F) return cp < 0x20 ? 0 : 1;
  if (cp <= 0x9F) return 0;
  const auto it = std::lower_bound(std::begin(kWidths), std::end(kWidths), cp,
                                   [](const WidthRange& r, char32_t c) { return r.last < c; });
  return it != std::end(kWidths) && it->first <= cp ? it->width : 1;
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  return find_invalid_utf8(text) == std::string_view::npos;
}

bool is_valid_email(std::string_view address) { return email_problem(address) == nullptr; }

std::string normalize_email(std::string_view address, std::string_view field) {
  while (!address.empty() && is_ascii_space(address.front())) address.remove_prefix(1);
  while (!address.empty() && is_ascii_space(address.back())) address.remove_suffix(1);
  if (const char* why = email_problem(address)) {
    throw Error(Errc::data,
                std::string(field) + ": invalid email address '" + printable(address) + "'", why);
  }
  std::string out(address);
  // The domain cannot hold an '@', so the last one is the separator even after a quoted
  // local part like "a@b"@example.com.
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
    if (!canonical)
      throw Error(Errc::data, std::string(field) + ": invalid email address '" + printable(address) + "'",
                  "the domain is not a valid internationalised domain name");
    out.replace(domain_start, std::string::npos, *canonical);
  }
  return out;
}

void check_header_value(std::string_view value, std::string_view field) {
  if (value.find_first_of("\r\n") != std::string_view::npos) {
    // A CR or LF would end the header and let the value inject headers of its own.
    throw Error(Errc::data, std::string(field) + ": contains a line break", "write it on one line");
  }
  check_utf8(value, field);
}

void check_utf8(std::string_view value, std::string_view field) {
  const std::size_t at = find_invalid_utf8(value);
  if (at != std::string_view::npos) {
    throw Error(Errc::data,
                std::string(field) + ": invalid UTF-8 at byte " + std::to_string(at + 1),
                "the text must be in UTF-8; convert it, e.g. with iconv -f cp1251 -t utf-8");
  }
}

std::size_t display_width(std::string_view utf8) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < utf8.size();) {
    const char32_t cp = next_code_point(utf8, i);
    // A terminal shows an ill-formed byte as U+FFFD, one column.
    width += cp == kInvalid ? 1 : code_point_width(cp);
  }
  return width;
}

}  // namespace mailer
