#pragma once
// ASCII case and blanks for the parsers of this folder: reports are matched on ASCII words,
// and the C library's tolower() (locale-aware, one call a byte) was a tenth of the parse time.
#include <algorithm>
#include <string>
#include <string_view>

namespace mailer::bounces::ascii {

constexpr char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
constexpr bool space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

inline std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// Whether `haystack` holds `needle` (lower case) in any case, without a copy.
inline bool contains(std::string_view haystack, std::string_view needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                     [](char h, char n) { return lower(h) == n; }) != haystack.end();
}

}  // namespace mailer::bounces::ascii
