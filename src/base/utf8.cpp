// UTF-8 as users type it and as Excel saves it: decoding that survives ill-formed bytes,
// a fast validity check for imports, terminal widths for aligned tables, visible escapes.
#include "mailer/base/utf8.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <iterator>

#include "mailer/base/validate.hpp"

namespace mailer {
namespace utf8 {

char32_t decode(std::string_view s, std::size_t& i) {
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

void append(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::size_t find_invalid(std::string_view s) {
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
    if (decode(s, i) == kInvalid) return at;
  }
  return std::string_view::npos;
}

std::string visible(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b >= 0x20 && b < 0x7F) {
      out += static_cast<char>(b);
      ++i;
      continue;
    }
    const std::size_t start = i;
    const char32_t cp = decode(s, i);
    if (cp == '\t') {
      out += "\\t";
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp == kInvalid || cp < 0x80) {
      out += "\\x";
      out += kHex[b >> 4];
      out += kHex[b & 0x0F];
    } else if (is_control(cp)) {
      out += "\\u00";
      out += kHex[cp >> 4];
      out += kHex[cp & 0x0F];
    } else {
      out.append(s.substr(start, i - start));
    }
  }
  return out;
}

}  // namespace utf8

namespace {

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

bool is_valid_utf8(std::string_view text) { return utf8::find_invalid(text) == std::string_view::npos; }

std::size_t display_width(std::string_view text) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < text.size();) {
    const char32_t cp = utf8::decode(text, i);
    // A terminal shows an ill-formed byte as U+FFFD, one column.
    width += cp == utf8::kInvalid ? 1 : code_point_width(cp);
  }
  return width;
}

}  // namespace mailer
