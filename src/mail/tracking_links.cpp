// The link and pixel scanner of tracking_links.hpp. It follows the HTML tokenizer only as far
// as mail programs do: tags, quoted attribute values, comments and raw-text elements. Every
// step moves forward, and a construct left open at the end of the input ends the scan, so
// no input costs more than one pass.
#include "mailer/mail/tracking_links.hpp"

#include <cstdint>

#include "mailer/base/utf8.hpp"
#include "mailer/core/tracking.hpp"

namespace mailer::mail {
namespace {

constexpr std::size_t npos = std::string_view::npos;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// `lowered` (lowercase) equals `s` in any case.
bool equals_ci(std::string_view s, std::string_view lowered) {
  if (s.size() != lowered.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (lower(s[i]) != lowered[i]) return false;
  return true;
}

bool starts_with_ci(std::string_view s, std::string_view lowered) {
  return s.size() >= lowered.size() && equals_ci(s.substr(0, lowered.size()), lowered);
}

// The first `lowered` (lowercase, a few characters) in `s` from `from`, in any case.
std::size_t find_ci(std::string_view s, std::string_view lowered, std::size_t from) {
  for (std::size_t i = from; i + lowered.size() <= s.size(); ++i)
    if (lower(s[i]) == lowered[0] && equals_ci(s.substr(i, lowered.size()), lowered)) return i;
  return npos;
}

// "#38", "#x26": the code point, or 0 when it is none a URL may hold.
std::uint32_t numeric_reference(std::string_view ref) {
  bool hex = ref.size() > 1 && (ref[1] == 'x' || ref[1] == 'X');
  std::string_view digits = ref.substr(hex ? 2 : 1);
  if (digits.empty() || digits.size() > 7) return 0;
  std::uint32_t cp = 0;
  for (char c : digits) {
    int d = c >= '0' && c <= '9'                        ? c - '0'
            : hex && lower(c) >= 'a' && lower(c) <= 'f' ? lower(c) - 'a' + 10
                                                        : -1;
    if (d < 0) return 0;
    cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
  }
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return cp;
}

// The attribute value as a browser reads it: the character references a URL may hold
// decoded (&amp; above all), anything else kept as written.
std::string decode_references(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] != '&') {
      out += v[i];
      continue;
    }
    // References are short: looking ahead a bounded distance keeps the pass linear.
    std::size_t semi = v.substr(i + 1, 12).find(';');
    std::string_view ref = semi == npos ? std::string_view() : v.substr(i + 1, semi);
    std::uint32_t cp = 0;
    if (ref.starts_with('#'))
      cp = numeric_reference(ref);
    else if (ref == "amp")
      cp = '&';
    else if (ref == "lt")
      cp = '<';
    else if (ref == "gt")
      cp = '>';
    else if (ref == "quot")
      cp = '"';
    else if (ref == "apos")
      cp = '\'';
    if (cp == 0) {
      out += '&';
      continue;
    }
    utf8::append(out, static_cast<char32_t>(cp));
    i += semi + 1;
  }
  return out;
}

void append_escaped(std::string& out, std::string_view s) {
  // Runs of plain characters in one append: a click URL is mostly plain.
  for (std::size_t plain = s.find_first_of("&\"<>"); plain != npos; plain = s.find_first_of("&\"<>")) {
    out.append(s, 0, plain);
    switch (s[plain]) {
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '<':
        out += "&lt;";
        break;
      default:
        out += "&gt;";
    }
    s.remove_prefix(plain + 1);
  }
  out.append(s);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Where the value of an attribute is, quotes included.
struct Attribute {
  std::string_view name;
  std::size_t value_begin = npos, value_end = npos;  // [begin, end) in the input, quotes included
  std::size_t text_begin = 0, text_end = 0;          // the value without its quotes
};

// Reads the attributes of a tag from `i` (just after its name) to its '>'; calls `seen` for
// each one. Returns the index just past the '>', or npos when the input ends first.
template <class Seen>
std::size_t scan_attributes(std::string_view html, std::size_t i, Seen&& seen) {
  const std::size_t n = html.size();
  while (true) {
    while (i < n && (is_space(html[i]) || html[i] == '/')) ++i;
    if (i >= n) return npos;
    if (html[i] == '>') return i + 1;
    Attribute a;
    std::size_t name_begin = i;
    if (html[i] == '=') ++i;  // HTML reads a leading '=' as part of the name
    while (i < n && !is_space(html[i]) && html[i] != '/' && html[i] != '>' && html[i] != '=') ++i;
    a.name = html.substr(name_begin, i - name_begin);
    std::size_t after_name = i;
    while (i < n && is_space(html[i])) ++i;
    if (i < n && html[i] == '=') {
      ++i;
      while (i < n && is_space(html[i])) ++i;
      if (i >= n) return npos;
      a.value_begin = i;
      if (html[i] == '"' || html[i] == '\'') {
        std::size_t close = html.find(html[i], i + 1);
        if (close == npos) return npos;
        a.text_begin = i + 1;
        a.text_end = close;
        i = close + 1;
      } else {
        while (i < n && !is_space(html[i]) && html[i] != '>') ++i;
        a.text_begin = a.value_begin;
        a.text_end = i;
      }
      a.value_end = i;
    } else {
      i = after_name;  // no value: what follows the spaces is the next attribute
    }
    seen(a);
  }
}

class Scanner {
 public:
  Scanner(std::string& out, std::string_view html, const TrackingLinks& tracking, std::string_view token,
          std::string_view unsubscribe_url)
      : out_(out), html_(html), tracking_(tracking), token_(token), unsubscribe_(unsubscribe_url) {}

  void run() {
    const std::size_t n = html_.size();
    std::size_t copied = 0;  // html_[0, copied) is in out_
    std::size_t i = html_.find('<');
    while (i != npos && i + 1 < n) {
      out_.append(html_, copied, i - copied);
      copied = i;
      std::size_t end = tag(i);
      if (end == npos) break;  // left open: the rest is copied as it is
      copied = end;
      i = html_.find('<', end);
    }
    out_.append(html_, copied);
    if (tracking_.opens) {
      std::string pixel = open_pixel_element(tracking_, token_);
      if (body_end_ == npos)
        out_ += pixel;
      else
        out_.insert(body_end_, pixel);
    }
  }

 private:
  // Copies the markup at `i` (a '<') to out_, tracked; returns the index after it.
  std::size_t tag(std::size_t i) {
    const std::size_t n = html_.size();
    char next = html_[i + 1];
    if (next == '!') {
      if (html_.substr(i, 4) == "<!--") {
        // The content of <!--[if mso]> ... <![endif]--> is what Outlook shows: markup.
        std::size_t end = html_.substr(i + 4, 3) == "[if" ? html_.find('>', i + 4) : html_.find("-->", i + 2);
        if (end == npos) return npos;
        end += html_[end] == '>' ? 1 : 3;
        out_.append(html_, i, end - i);
        return end;
      }
      return copy_to_close(i);  // <!DOCTYPE>, <![endif]>, CDATA
    }
    if (next == '?') return copy_to_close(i);
    bool closing = next == '/';
    std::size_t name_begin = i + (closing ? 2 : 1);
    if (name_begin >= n || !is_alpha(html_[name_begin])) {
      out_ += '<';  // text, not a tag
      return i + 1;
    }
    std::size_t name_end = name_begin;
    while (name_end < n && !is_space(html_[name_end]) && html_[name_end] != '/' && html_[name_end] != '>')
      ++name_end;
    std::string_view name = html_.substr(name_begin, name_end - name_begin);
    const bool link = !closing && tracking_.clicks && (equals_ci(name, "a") || equals_ci(name, "area"));
    Attribute href;
    std::size_t end = scan_attributes(html_, name_end, [&](const Attribute& a) {
      if (link && href.value_begin == npos && a.value_begin != npos && equals_ci(a.name, "href")) href = a;
    });
    if (end == npos) return npos;
    if (closing && equals_ci(name, "body")) body_end_ = out_.size();
    std::string url = href.value_begin == npos ? std::string() : tracked_url(href);
    if (url.empty()) {
      out_.append(html_, i, end - i);
    } else {
      out_.append(html_, i, href.value_begin - i);
      out_ += '"';
      append_escaped(out_, url);
      out_ += '"';
      out_.append(html_, href.value_end, end - href.value_end);
    }
    if (closing) return end;
    // Their text is no markup: a "<a href" inside a script or a title is no link.
    for (std::string_view raw : {"script", "style", "title", "textarea"}) {
      if (!equals_ci(name, raw)) continue;
      std::string close = "</";
      close += raw;
      std::size_t at = find_ci(html_, close, end);
      if (at == npos) {
        out_.append(html_, end);
        return n;
      }
      out_.append(html_, end, at - end);
      return at;
    }
    return end;
  }

  // A construct that ends at the next '>': copied as it is.
  std::size_t copy_to_close(std::size_t i) {
    std::size_t close = html_.find('>', i);
    if (close == npos) return npos;
    out_.append(html_, i, close + 1 - i);
    return close + 1;
  }

  // The click URL for an href, or "" when it stays as written.
  std::string tracked_url(const Attribute& href) const {
    std::string decoded = decode_references(html_.substr(href.text_begin, href.text_end - href.text_begin));
    std::string_view url = trim(decoded);
    if (!starts_with_ci(url, "http://") && !starts_with_ci(url, "https://")) return {};
    if (!unsubscribe_.empty() && url == unsubscribe_) return {};
    const std::string& base = tracking_.base_url;
    if (url.starts_with(base) && url.size() >= base.size() + 3) {
      std::string_view path = url.substr(base.size(), 3);
      if (path == "/u/" || path == "/o/" || path == "/c/") return {};
    }
    return click_url(base, tracking_.key, token_, url);
  }

  std::string& out_;
  std::string_view html_;
  const TrackingLinks& tracking_;
  std::string_view token_;
  std::string_view unsubscribe_;
  std::size_t body_end_ = npos;  // where in out_ the last </body> begins
};

}  // namespace

std::optional<TrackingLinks> tracking_links(const Config& config, std::string key) {
  if (config.tracking_base_url.empty() || (!config.tracking_opens && !config.tracking_clicks))
    return std::nullopt;
  return TrackingLinks{config.tracking_base_url, std::move(key), config.tracking_opens,
                       config.tracking_clicks};
}

void add_tracking(std::string& out, std::string_view html, const TrackingLinks& tracking,
                  std::string_view token, std::string_view unsubscribe_url) {
  if (!tracking.opens && !tracking.clicks) {
    out.append(html);
    return;
  }
  Scanner(out, html, tracking, token, unsubscribe_url).run();
}

std::string add_tracking(std::string_view html, const TrackingLinks& tracking, std::string_view token,
                         std::string_view unsubscribe_url) {
  std::string out;
  out.reserve(html.size() + 256);
  add_tracking(out, html, tracking, token, unsubscribe_url);
  return out;
}

std::string open_pixel_element(const TrackingLinks& tracking, std::string_view token) {
  std::string out = "<img src=\"";
  append_escaped(out, open_pixel_url(tracking.base_url, token));
  out += "\" width=\"1\" height=\"1\" alt=\"\" style=\"display:block;border:0\">";
  return out;
}

}  // namespace mailer::mail
