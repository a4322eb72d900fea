#pragma once
// The compose tests' small RFC 5322 / MIME reader, strict where compose must be, and their
// fixtures: every test parses what compose wrote back and compares it with the input.
#include "mailer/mail/compose.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <kainjow/mustache.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mailer/base/error.hpp"
#include "test_support.hpp"

namespace compose_test {

using namespace mailer::mail;
using mailer::Errc;
using mailer::Error;

// --- a small reader, strict where compose must be -------------------------------------

// Splits at CRLF and fails on a bare CR or LF or a missing final CRLF.
inline std::vector<std::string> crlf_lines(const std::string& msg) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < msg.size()) {
    std::size_t end = msg.find("\r\n", start);
    REQUIRE_MESSAGE(end != std::string::npos, "the message must end with CRLF");
    std::string line = msg.substr(start, end - start);
    REQUIRE_MESSAGE(line.find('\r') == std::string::npos, "bare CR in: " << line);
    REQUIRE_MESSAGE(line.find('\n') == std::string::npos, "bare LF in: " << line);
    lines.push_back(std::move(line));
    start = end + 2;
  }
  return lines;
}

inline void check_line_lengths(const std::string& msg, std::size_t limit = 998) {
  for (const auto& line : crlf_lines(msg)) CHECK_MESSAGE(line.size() <= limit, "line of " << line.size());
}

struct Part {
  std::vector<std::pair<std::string, std::string>> headers;  // unfolded
  std::string body;

  std::optional<std::string> header(std::string_view name) const {
    std::optional<std::string> found;
    for (const auto& [n, v] : headers) {
      if (n == name) {
        REQUIRE_MESSAGE(!found, "duplicate header " << name);
        found = v;
      }
    }
    return found;
  }
  std::string get(std::string_view name) const {
    auto h = header(name);
    REQUIRE_MESSAGE(h.has_value(), "missing header " << name);
    return *h;
  }
};

// RFC 5322 §2.2: header lines up to the first empty line; a line starting with
// whitespace continues the previous field, and unfolding removes only the CRLF.
inline Part parse_part(const std::string& text) {
  Part part;
  std::size_t end = text.find("\r\n\r\n");
  std::string head;
  if (end == std::string::npos) {
    head = text;
  } else {
    head = text.substr(0, end + 2);
    part.body = text.substr(end + 4);
  }
  for (const auto& line : crlf_lines(head)) {
    if (line.empty()) continue;
    if (line[0] == ' ' || line[0] == '\t') {
      REQUIRE(!part.headers.empty());
      REQUIRE_MESSAGE(line.find_first_not_of(" \t") != std::string::npos, "whitespace-only line");
      part.headers.back().second += line;
      continue;
    }
    std::size_t colon = line.find(':');
    REQUIRE_MESSAGE(colon != std::string::npos, "not a header: " << line);
    std::string value = line.substr(colon + 1);
    value.erase(0, std::min(value.size(), value.find_first_not_of(" \t")));
    part.headers.emplace_back(line.substr(0, colon), value);
  }
  return part;
}

inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;  // RFC 2045 wants upper case from an encoder
}

inline std::string qp_decode(const std::string& in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '=') {
      out += in[i];
      continue;
    }
    REQUIRE(i + 2 < in.size() + 1);
    if (in.compare(i + 1, 2, "\r\n") == 0) {
      i += 2;
      continue;
    }
    int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
    REQUIRE_MESSAGE((hi >= 0 && lo >= 0), "bad escape at " << i);
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

inline std::string base64_decode(std::string_view in) {
  static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::uint32_t buf = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    auto v = alphabet.find(c);
    REQUIRE(v != std::string::npos);
    buf = (buf << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buf >> bits) & 0xFF);
    }
  }
  return out;
}

inline bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += len;
  }
  return true;
}

struct Decoded {
  std::string text;
  std::vector<std::string> words;  // the encoded words as written
};

// RFC 2047 §6.2: whitespace between two adjacent encoded words is dropped. Each word must
// decode to valid UTF-8 by itself (no character split across words).
inline Decoded decode_words(const std::string& value) {
  Decoded d;
  std::size_t i = 0;
  bool last_was_word = false;
  std::string pending_space;
  while (i < value.size()) {
    if (value.compare(i, 10, "=?UTF-8?B?") == 0) {
      std::size_t end = value.find("?=", i + 10);
      REQUIRE(end != std::string::npos);
      std::string word = value.substr(i, end + 2 - i);
      d.words.push_back(word);
      std::string bytes = base64_decode(std::string_view(value).substr(i + 10, end - i - 10));
      CHECK_MESSAGE(valid_utf8(bytes), "a word splits a character: " << word);
      if (!last_was_word) d.text += pending_space;
      pending_space.clear();
      d.text += bytes;
      last_was_word = true;
      i = end + 2;
    } else if (value[i] == ' ' || value[i] == '\t') {
      pending_space += value[i++];
    } else {
      d.text += pending_space;
      pending_space.clear();
      d.text += value[i++];
      last_was_word = false;
    }
  }
  d.text += pending_space;
  return d;
}

// Removes the CRLF of each folding point (RFC 5322 §2.2.3).
inline std::string unfold(const std::string& folded) {
  std::string out;
  for (std::size_t i = 0; i < folded.size(); ++i) {
    if (folded.compare(i, 3, "\r\n ") == 0) {
      ++i;
      continue;
    }
    out += folded[i];
  }
  return out;
}

inline std::string param(const std::string& header, const std::string& name) {
  std::size_t p = header.find(name + "=\"");
  REQUIRE(p != std::string::npos);
  p += name.size() + 2;
  return header.substr(p, header.find('"', p) - p);
}

struct Message {
  std::string raw;
  Part top;
  std::vector<Part> parts;  // the parts of a multipart/alternative, or the top itself
};

inline Message parse_message(std::string raw) {
  Message m;
  m.raw = std::move(raw);
  check_line_lengths(m.raw);
  m.top = parse_part(m.raw);
  std::string type = m.top.get("Content-Type");
  if (type.rfind("multipart/alternative", 0) != 0) {
    m.parts.push_back(m.top);
    return m;
  }
  std::string boundary = param(type, "boundary");
  std::string delim = "--" + boundary;
  const std::string& body = m.top.body;
  REQUIRE_MESSAGE(body.rfind(delim + "\r\n", 0) == 0, "the body starts with the first delimiter");
  std::size_t pos = delim.size() + 2;
  while (true) {
    std::size_t next = body.find("\r\n" + delim, pos);
    REQUIRE(next != std::string::npos);
    m.parts.push_back(parse_part(body.substr(pos, next - pos)));
    pos = next + 2 + delim.size();
    if (body.compare(pos, 4, "--\r\n") == 0) {
      CHECK(pos + 4 == body.size());
      break;
    }
    REQUIRE(body.compare(pos, 2, "\r\n") == 0);
    pos += 2;
  }
  return m;
}

inline std::string lf_to_crlf(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

// Issue 7 item 11: a body is quoted-printable or base64, whichever is shorter; base64 in
// lines of 76 characters (the last may be shorter), CRLF between them.
inline std::string body_of(const Part& part) {
  std::string encoding = part.get("Content-Transfer-Encoding");
  CHECK((encoding == "quoted-printable" || encoding == "base64"));
  if (encoding != "base64") return qp_decode(part.body);
  std::string joined;
  // A message's last part ends with the CRLF that SMTP DATA needs.
  bool final_crlf = part.body.size() >= 2 && part.body.compare(part.body.size() - 2, 2, "\r\n") == 0;
  std::vector<std::string> lines = crlf_lines(final_crlf ? part.body : part.body + "\r\n");
  for (std::size_t i = 0; i < lines.size(); ++i) {
    CHECK((lines[i].size() == 76 || (i + 1 == lines.size() && lines[i].size() <= 76)));
    joined += lines[i];
  }
  return base64_decode(joined);
}

using ScopedTz = mailer::test::TzGuard;

inline mailer::Time utc(int y, int mo, int d, int h, int mi) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  return static_cast<mailer::Time>(timegm(&tm));
}

inline ComposeContext context(std::string url = {}) {
  ComposeContext c;
  c.from = "Магазин <news@example.com>";
  c.date = utc(2026, 11, 24, 6, 0);
  c.message_id = make_message_id(c.from);
  c.unsubscribe_url = std::move(url);
  return c;
}

inline MessageTemplate cyrillic_message(bool html) {
  MessageTemplate t;
  t.subject = "Скидки для {{name}}";
  t.body_text = "Здравствуйте, {{name}}!\nВаш адрес: {{email}}.\n\nОтписаться: {{unsubscribe_url}}\n";
  if (html) t.body_html = "<p>Здравствуйте, {{name}}!</p>\n<a href=\"{{unsubscribe_url}}\">Отписаться</a>\n";
  return t;
}

inline std::string error_of(auto&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    CHECK(e.code() == Errc::data);
    CHECK(e.exit_code() == 65);
    CHECK(!e.hint().empty());
    return e.what();
  }
  FAIL("no error thrown");
  return {};
}

}  // namespace compose_test
