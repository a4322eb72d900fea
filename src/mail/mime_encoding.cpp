// MIME encodings for headers and bodies (RFC 2045, RFC 2047, RFC 5322 folding), hand-written
// because they are the hottest loops of a send (and quoted-printable must also keep dots off
// the start of lines).
#include "mailer/mail/mime_encoding.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <utility>

namespace mailer::mail {
namespace {

constexpr std::size_t kMaxWord = 75;       // RFC 2047 §2: an encoded word's length limit
constexpr std::size_t kQpLine = 76;        // RFC 2045 §6.7 (5): encoded line length limit
constexpr std::size_t kB64LineBytes = 57;  // 76 base64 characters a line (RFC 2045 §6.8)
constexpr char kHexUpper[] = "0123456789ABCDEF";
constexpr std::string_view kCrlf = "\r\n";

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

constexpr auto is_control = [](char ch) {
  auto c = static_cast<unsigned char>(ch);
  return (c < 0x20 && c != '\t') || c == 0x7f;
};

// Base64 of `in` at `p`; returns the end. Not libsodium's sodium_bin2base64: that one is
// constant-time (it is meant for secrets) and took 60% of a Cyrillic copy's time.
constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// The two characters of every 12 bits: one lookup per two characters.
constexpr std::array<char, 8192> kBase64Pairs = [] {
  std::array<char, 8192> t{};
  for (std::size_t i = 0; i < 4096; ++i) {
    t[2 * i] = kBase64[i >> 6];
    t[2 * i + 1] = kBase64[i & 63];
  }
  return t;
}();

char* put_base64(char* p, const unsigned char* in, std::size_t n) {
  std::size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const std::uint32_t v = (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8) | in[i + 2];
    std::memcpy(p, &kBase64Pairs[2 * (v >> 12)], 2);
    std::memcpy(p + 2, &kBase64Pairs[2 * (v & 4095)], 2);
    p += 4;
  }
  if (n - i == 0) return p;
  std::uint32_t v = std::uint32_t{in[i]} << 16;
  if (n - i == 2) v |= std::uint32_t{in[i + 1]} << 8;
  p[0] = kBase64[v >> 18];
  p[1] = kBase64[(v >> 12) & 63];
  p[2] = n - i == 2 ? kBase64[(v >> 6) & 63] : '=';
  p[3] = '=';
  return p + 4;
}

void append_base64(std::string& out, std::string_view in) {
  const std::size_t start = out.size();
  out.resize(start + (in.size() + 2) / 3 * 4);
  put_base64(out.data() + start, reinterpret_cast<const unsigned char*>(in.data()), in.size());
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
      if (i > 0 && k > j && c + (k - i) > kFoldColumn) {
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
  if (fold(nullptr, col).first > kMaxLineOctets) return false;
  col = fold(&out, col).second;
  return true;
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

// Octets quoted-printable writes for each byte, 0 for a line break.
constexpr std::array<unsigned char, 256> make_qp_widths() {
  std::array<unsigned char, 256> t{};
  for (int c = 0; c < 256; ++c) t[c] = kQpClasses[c] == kQpEscape ? 3 : kQpClasses[c] == kQpBreak ? 0 : 1;
  return t;
}
constexpr std::array<unsigned char, 256> kQpWidths = make_qp_widths();

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

// Base64 needs the canonical form, line breaks as CRLF, which is gathered 57 bytes at a
// time (one output line) so the text is read once and never copied whole.
void append_base64_lines(std::string& out, std::string_view text) {
  const std::size_t start = out.size();
  // Canonical text is at most twice as long (every byte a bare LF).
  out.resize(start + (2 * text.size() / kB64LineBytes + 1) * (76 + 2));
  char* const base = out.data();
  char* p = base + start;
  auto put_line = [&](const unsigned char* bytes, std::size_t n) {
    if (p != base + start) {
      *p++ = '\r';
      *p++ = '\n';
    }
    p = put_base64(p, bytes, n);
  };
  unsigned char chunk[kB64LineBytes + 1];  // +1: a CRLF may straddle the end of a line
  std::size_t used = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  auto find = [&](char c, std::size_t from) {
    std::size_t at = text.find(c, from);
    return at == std::string_view::npos ? n : at;
  };
  std::size_t next_lf = find('\n', 0), next_cr = find('\r', 0);
  std::size_t i = 0;
  while (i < n) {
    const std::size_t brk = std::min(next_lf, next_cr);
    const std::size_t run = std::min(kB64LineBytes - used, brk - i);
    std::memcpy(chunk + used, in + i, run);
    used += run;
    i += run;
    if (i == brk && i < n && used < kB64LineBytes) {
      if (in[i] == '\r' && i + 1 < n && in[i + 1] == '\n') ++i;
      ++i;
      chunk[used++] = '\r';
      chunk[used++] = '\n';
      if (next_lf < i) next_lf = find('\n', i);
      if (next_cr < i) next_cr = find('\r', i);
    }
    if (used >= kB64LineBytes) {
      put_line(chunk, kB64LineBytes);
      used -= kB64LineBytes;
      chunk[0] = chunk[kB64LineBytes];
    }
  }
  if (used > 0) put_line(chunk, used);
  out.resize(static_cast<std::size_t>(p - base));
}

}  // namespace

void clean_header_into(std::string& dst, std::string_view src) {
  if (std::none_of(src.begin(), src.end(), is_control)) {
    dst.assign(src);
    return;
  }
  dst.clear();
  dst.reserve(src.size());
  bool in_break = false;
  for (char ch : src) {
    if (ch == '\r' || ch == '\n') {
      if (!in_break) dst += ' ';
      in_break = true;
      continue;
    }
    in_break = false;
    if (is_control(ch)) continue;
    dst += ch;
  }
}

std::string clean_header(std::string_view src) {
  std::string out;
  clean_header_into(out, src);
  return out;
}

bool is_plain_ascii(std::string_view s) {
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t') || c > 0x7e) return false;
  }
  return s.find("=?") == std::string_view::npos;
}

// Some decoders decode each word on its own, hence no word ends inside a UTF-8 sequence.
std::size_t append_encoded_words(std::string& out, std::string_view text, std::size_t col) {
  constexpr std::size_t kOverhead = 12;  // "=?UTF-8?B?" + "?="
  std::size_t i = 0;
  bool first = true;
  while (i < text.size()) {
    if (!first) {
      out += "\r\n ";
      col = 1;
    }
    std::size_t room = col < kFoldColumn ? kFoldColumn - col : 0;
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

std::size_t append_header_text(std::string& out, std::string_view text, std::size_t col) {
  if (is_plain_ascii(text) && append_folded_ascii(out, text, col)) return col;
  return append_encoded_words(out, text, col);
}

std::string encode_header_text(std::string_view text) {
  std::string cleaned = clean_header(text);
  std::string out;
  append_header_text(out, cleaned, 9);
  return out;
}

std::string_view encoding_name(BodyEncoding encoding) {
  return encoding == BodyEncoding::base64 ? "base64" : "quoted-printable";
}

BodyEncoding choose_body_encoding(std::string_view text) {
  // Quoted-printable: each byte's width, a CRLF per line, "=" CRLF per 75 octets of a
  // longer line, and =20 for a blank that ends a line. Base64: 4 per 3 canonical bytes, CRLF
  // per 76 characters.
  std::size_t qp = 0, canonical = 0, line = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  auto end_line = [&](std::size_t at) {
    if (at > 0 && (in[at - 1] == ' ' || in[at - 1] == '\t')) line += 2;
    if (line > kQpLine) qp += 3 * ((line - 2) / (kQpLine - 1));
    qp += line;
    line = 0;
  };
  auto one = [&](std::size_t& i) {
    const unsigned char c = in[i];
    if (c == '\n' || c == '\r') {
      end_line(i);
      if (c == '\r' && i + 1 < n && in[i + 1] == '\n') ++i;
      qp += 2;
      canonical += 2;
    } else {
      line += kQpWidths[c];
      ++canonical;
    }
  };
  // Eight bytes at a time while none is a control, "=" or DEL: then only the bytes >= 0x80
  // (each escaped, 3 octets) change the count. Both tests below are exact for "any byte".
  constexpr std::uint64_t k01 = 0x0101010101010101, k80 = 0x8080808080808080;
  auto has_zero = [](std::uint64_t w) { return ((w - k01) & ~w & k80) != 0; };
  std::size_t i = 0;
  while (i < n) {
    if (i + 8 <= n) {
      std::uint64_t w;
      std::memcpy(&w, in + i, 8);
      const bool special =
          ((w - 0x20 * k01) & ~w & k80) != 0 || has_zero(w ^ ('=' * k01)) || has_zero(w ^ (0x7f * k01));
      if (!special) {
        // The bytes >= 0x80 as 0/1 per byte, summed into the top byte by the multiplication.
        line += 8 + 2 * static_cast<std::size_t>((((w & k80) >> 7) * k01) >> 56);
        canonical += 8;
        i += 8;
        continue;
      }
      for (std::size_t end = i + 8; i < end; ++i) one(i);
      continue;
    }
    one(i);
    ++i;
  }
  end_line(n);
  std::size_t b64 = (canonical + 2) / 3 * 4;
  if (b64 > 0) b64 += 2 * ((b64 - 1) / 76);
  return b64 < qp ? BodyEncoding::base64 : BodyEncoding::quoted_printable;
}

void append_body(std::string& out, std::string_view text, BodyEncoding encoding) {
  if (encoding == BodyEncoding::base64) {
    append_base64_lines(out, text);
  } else {
    append_qp(out, text);
  }
}

std::string quoted_printable(std::string_view text) {
  std::string out;
  append_qp(out, text);
  return out;
}

std::string base64_body(std::string_view text) {
  std::string out;
  append_base64_lines(out, text);
  return out;
}

}  // namespace mailer::mail
