// Free-text bounces: a line that is an address (alone, in angle brackets, before a colon)
// opens a recipient; the lines after it are what the server said about it.
#include "mailer/bounces/free_text.hpp"

#include "ascii.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include "mailer/bounces/report.hpp"

namespace mailer::bounces {
namespace {

using ascii::lower;
using ascii::trim;

bool local_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("._%+-=/!#$&'*?^`{|}~").find(c) != std::string_view::npos;
}
bool domain_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-'; }

// The address at the start of `s` and its length, or nullopt.
std::optional<std::size_t> address_length(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && local_char(s[i])) ++i;
  if (i == 0 || i >= s.size() || s[i] != '@') return std::nullopt;
  std::size_t at = i++;
  while (i < s.size() && domain_char(s[i])) ++i;
  std::string_view domain = s.substr(at + 1, i - at - 1);
  while (!domain.empty() && domain.back() == '.') {
    domain.remove_suffix(1);
    --i;
  }
  if (domain.find('.') == std::string_view::npos || domain.front() == '.') return std::nullopt;
  return i;
}

struct AddressLine {
  std::string address;
  std::string_view rest;  // what follows "addr:" on the same line
};

// "addr", "<addr>", "<addr>:", "addr: text", "addr<mailto:addr>": a line that opens a recipient.
std::optional<AddressLine> address_line(std::string_view line) {
  std::string_view t = trim(line);
  bool bracket = !t.empty() && t.front() == '<';
  if (bracket) t.remove_prefix(1);
  auto n = address_length(t);
  if (!n) return std::nullopt;
  AddressLine found{lower(t.substr(0, *n)), {}};
  std::string_view rest = t.substr(*n);
  if (bracket) {
    if (rest.empty() || rest.front() != '>') return std::nullopt;
    rest.remove_prefix(1);
  }
  rest = trim(rest);
  if (rest.empty()) return found;
  if (rest.starts_with("<mailto:")) return found;
  if (rest.starts_with("...")) {  // "addr ... unknown host"
    found.rest = trim(rest.substr(3));
    return found;
  }
  if (rest.front() == ':') {
    found.rest = trim(rest.substr(1));
    return found;
  }
  return std::nullopt;
}

// "User's mailbox is full: <addr>", "Did not reach the following recipient: addr": words, a
// colon, and the address last. A header ("To: addr") has one word before its colon.
std::optional<AddressLine> address_last(std::string_view line) {
  std::string_view t = trim(line);
  if (!t.empty() && t.back() == '>') t.remove_suffix(1);
  std::size_t space = t.find_last_of(" \t<");
  if (space == std::string_view::npos) return std::nullopt;
  std::string_view address = t.substr(space + 1);
  auto n = address_length(address);
  if (!n || *n != address.size()) return std::nullopt;
  std::string_view before = trim(t.substr(0, space));
  if (!before.empty() && before.back() == '<') before = trim(before.substr(0, before.size() - 1));
  if (before.size() < 2 || before.back() != ':' || before.find(' ') == std::string_view::npos)
    return std::nullopt;
  return AddressLine{lower(address), before.substr(0, before.size() - 1)};
}

// Sendmail's "550 5.1.1 <addr>... User unknown": the address before "...".
std::optional<std::string> sendmail_address(std::string_view line) {
  std::size_t open = line.find('<');
  while (open != std::string_view::npos) {
    std::string_view after = line.substr(open + 1);
    auto n = address_length(after);
    // Only codes may come before it ("<<< 550 5.1.1 <addr>..."), not prose that quotes it.
    std::string_view before = line.substr(0, open);
    bool codes = std::all_of(before.begin(), before.end(), [](char c) {
      return std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == ' ' || c == '-' || c == '<' ||
             c == '\t';
    });
    if (codes && n && after.substr(*n).starts_with(">...")) return lower(after.substr(0, *n));
    open = line.find('<', open + 1);
  }
  return std::nullopt;
}

// Where the report's own text ends: the copy of the original message follows.
bool copy_follows(std::string_view line) {
  static const std::string_view kMarkers[] = {"this is a copy of the message",
                                              "below this line is a copy",
                                              "original message -----",
                                              "original message follows",
                                              "original message headers",
                                              "below is a copy",
                                              "message headers follow",
                                              "copy of the original",
                                              "returned message follows",
                                              "undelivered message follows",
                                              "included is a copy",
                                              "your message reads",
                                              "orginal message"};
  if (line.size() < 12) return false;
  thread_local std::string low;  // one buffer for every line: this runs on each of them
  low.assign(line);
  for (char& c : low) c = ascii::lower(c);
  return std::any_of(std::begin(kMarkers), std::end(kMarkers),
                     [&](std::string_view m) { return low.find(m) != std::string::npos; });
}

bool separator(std::string_view line) {
  std::string_view t = trim(line);
  return t.size() >= 4 &&
         std::all_of(t.begin(), t.end(), [](char c) { return c == '-' || c == '*' || c == '=' || c == '#'; });
}

bool says_code(std::string_view text) { return !find_status(text).empty() || find_reply_code(text) != 0; }

bool waiting(std::string_view diagnostic) {
  if (diagnostic.empty()) return true;
  if (says_code(diagnostic)) return false;
  return diagnostic.back() == ':' || ascii::contains(diagnostic, "technical details");
}

// Forwarded bounces arrive quoted ("> "): one level is taken off when most lines carry it.
std::string unquoted(std::string_view text) {
  std::size_t lines = 0, quoted = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t end = std::min(text.find('\n', pos), text.size());
    if (end > pos) ++lines;
    if (end > pos && text[pos] == '>') ++quoted;
    pos = end + 1;
  }
  if (lines == 0 || quoted * 2 < lines) return std::string(text);
  std::string out;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t end = std::min(text.find('\n', pos), text.size());
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.front() == '>') line.remove_prefix(line.size() > 1 && line[1] == ' ' ? 2 : 1);
    out.append(line).push_back('\n');
    pos = end + 1;
  }
  return out;
}

void add_words(std::string& diagnostic, std::string_view words) {
  words = trim(words);
  if (words.empty()) return;
  if (!diagnostic.empty()) diagnostic += ' ';
  diagnostic.append(words);
}

}  // namespace

int permanence_hint(std::string_view text) {
  const std::string l = lower(text);
  if (l.find("permanent") != std::string::npos || l.find("failed permanently") != std::string::npos) return 5;
  if (l.find("warning") != std::string::npos || l.find("temporar") != std::string::npos ||
      l.find("will be retried") != std::string::npos || l.find("delayed") != std::string::npos ||
      l.find("still trying") != std::string::npos)
    return 4;
  return 0;
}

std::vector<TextFailure> parse_free_text(std::string_view raw) {
  const std::string text = unquoted(raw);
  std::vector<TextFailure> found;
  std::size_t current = std::string::npos;  // index into found
  bool blank_seen = false;                  // a blank line since the current address
  std::string_view previous;                // the last line that was not blank
  std::size_t end_of_report = text.size();
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t end = std::min(text.find('\n', pos), text.size());
    std::string_view line = std::string_view(text).substr(pos, end - pos);
    std::size_t line_start = pos;
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (copy_follows(line)) {
      end_of_report = line_start;
      break;
    }
    if (trim(line).empty()) {
      blank_seen = true;
      continue;
    }
    if (separator(line)) {
      current = std::string::npos;
      continue;
    }
    auto opened = address_line(line);
    if (!opened) opened = address_last(line);
    // Exim's "A message sent by\n\n  <sender>\n\ncould not be delivered": that is us.
    const bool sender =
        opened && previous.size() >= 7 && ascii::lower(previous.substr(previous.size() - 7)) == "sent by";
    previous = line;
    if (sender) continue;
    std::optional<std::string> quoted_address;
    if (!opened) quoted_address = sendmail_address(line);
    if (opened ||
        (quoted_address && (current == std::string::npos || found[current].recipient != *quoted_address))) {
      std::string address = opened ? opened->address : *quoted_address;
      auto same = std::find_if(found.begin(), found.end(),
                               [&](const TextFailure& f) { return f.recipient == address; });
      current = static_cast<std::size_t>(same - found.begin());
      if (same == found.end()) found.push_back({address, {}, {}});
      add_words(found[current].diagnostic, opened ? opened->rest : line);
      blank_seen = false;
      continue;
    }
    if (current == std::string::npos) continue;
    // After a blank line, only a recipient still waiting for the server's words takes more:
    // one with none yet, or whose words announce them ("Technical details of ...:").
    if (blank_seen && !waiting(found[current].diagnostic) &&
        !lower(trim(line)).starts_with("technical details")) {
      current = std::string::npos;
      continue;
    }
    add_words(found[current].diagnostic, line);
  }
  std::string_view report = std::string_view(text).substr(0, end_of_report);
  const int hint = permanence_hint(report);
  for (TextFailure& f : found) {
    f.status = status_or_reply({}, f.diagnostic);
    if (f.status.empty() && hint != 0) f.status = std::to_string(hint) + ".0.0";
    if (f.diagnostic.size() > 1000) {
      std::size_t cut = 1000;  // on a character boundary
      while (cut > 0 && (static_cast<unsigned char>(f.diagnostic[cut]) & 0xC0) == 0x80) --cut;
      f.diagnostic.resize(cut);
    }
  }
  return found;
}

}  // namespace mailer::bounces
