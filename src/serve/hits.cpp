#include "mailer/serve/hits.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "mailer/core/tracking.hpp"

namespace mailer::serve {
namespace {

bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// Cuts `text` to at most `max` bytes without splitting a UTF-8 sequence.
void cap_utf8(std::string& text, std::size_t max) {
  if (text.size() <= max) return;
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
}

// One path segment of a token: digits, dots and hex only (the MAC is checked later).
bool token_like(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c == '.' || is_hex(c); });
}

}  // namespace

Target parse_target(std::string_view path) {
  Target t;
  if (path.size() < 4 || path[0] != '/' || path[2] != '/') return t;
  char kind = path[1];
  std::string_view rest = path.substr(3);
  if (kind == 'o') {
    if (!rest.ends_with(".gif")) return t;
    rest.remove_suffix(4);
    if (!token_like(rest)) return t;
    t.route = Route::open;
    t.token = rest;
  } else if (kind == 'c') {
    auto slash = rest.find('/');
    if (slash == std::string_view::npos) return t;
    std::string_view token = rest.substr(0, slash), sig = rest.substr(slash + 1);
    if (!token_like(token) || !token_like(sig)) return t;
    t.route = Route::click;
    t.token = token;
    t.signature = sig;
  } else if (kind == 'u') {
    if (!token_like(rest)) return t;
    t.route = Route::unsubscribe;
    t.token = rest;
  }
  return t;
}

std::optional<std::string> query_value(std::string_view target, std::string_view name) {
  auto q = target.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name)
      return percent_decode(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

bool redirectable(std::string_view url) {
  std::string start = lower(url.substr(0, 8));
  if (!start.starts_with("http://") && !start.starts_with("https://")) return false;
  std::size_t scheme = start.starts_with("http://") ? 7 : 8;
  if (url.size() <= scheme) return false;  // a scheme and no host
  return std::none_of(url.begin(), url.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return is_control(u) || u == ' ';
  });
}

std::string location_value(std::string_view url) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(url.size());
  for (char c : url) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x80) {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

std::string clean_user_agent(std::string_view user_agent) {
  std::string out;
  out.reserve(std::min(user_agent.size(), kUserAgentMax + 4));
  for (char c : user_agent) {
    if (is_control(static_cast<unsigned char>(c))) continue;
    out += c;
    if (out.size() > kUserAgentMax) break;
  }
  cap_utf8(out, kUserAgentMax);
  return out;
}

bool is_link_scanner(std::string_view user_agent) {
  // Substrings of the user agents they announce, lower case. Microsoft's Safe Links and
  // Defender fetch as "BingPreview"; Outlook itself ("Microsoft Office/16.0") is a reader.
  static constexpr std::array<std::string_view, 14> kScanners = {
      "barracuda", "proofpoint",  "mimecast", "bingpreview", "forcepoint", "trend micro", "trendmicro",
      "symantec",  "messagelabs", "ironport", "fireeye",     "sophos",     "zscaler",     "spamtitan",
  };
  std::string ua = lower(user_agent);
  return std::any_of(kScanners.begin(), kScanners.end(),
                     [&](std::string_view s) { return ua.find(s) != std::string::npos; });
}

bool open_counts(std::string_view user_agent, Time delivered_at, Time at) {
  return at - delivered_at > kEarlyOpenSeconds && !is_link_scanner(user_agent);
}

std::string redact_path(std::string_view path) {
  std::string out;
  std::size_t i = 0;
  while (i < path.size() && out.size() < 120) {
    std::size_t run = 0;
    while (i + run < path.size() && is_hex(path[i + run])) ++run;
    if (run >= 8) {
      out.append(path.substr(i, 4));
      out += "\u2026";
      i += run;
    } else if (run > 0) {
      out.append(path.substr(i, run));
      i += run;
    } else {
      if (!is_control(static_cast<unsigned char>(path[i]))) out += path[i];
      ++i;
    }
  }
  if (i < path.size()) out += "\u2026";
  return out;
}

}  // namespace mailer::serve
