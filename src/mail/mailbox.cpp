// Mailboxes in headers and the envelope (RFC 5322 §3.4, RFC 5321 §4.1.2).
#include "mailer/mail/mailbox.hpp"

#include "mailer/base/idn.hpp"
#include "mailer/mail/mime_encoding.hpp"

namespace mailer::mail {
namespace {

constexpr std::size_t kMaxPlainName = 200;  // longer ASCII names are encoded so they fold

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_wsp(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_wsp(s.back())) s.remove_suffix(1);
  return s;
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

}  // namespace

std::string ascii_domain(std::string_view domain) {
  return idn::to_ascii(domain).value_or(std::string(domain));
}

std::string envelope_address(std::string_view address) {
  std::size_t at = address.rfind('@');
  if (at == std::string_view::npos) return std::string(address);
  std::string out(address.substr(0, at + 1));
  out += ascii_domain(address.substr(at + 1));
  return out;
}

std::string address_of(std::string_view mailbox) { return split_mailbox(mailbox).address; }

std::size_t append_mailbox(std::string& out, std::string_view raw_name, std::string_view raw_address,
                           std::size_t col) {
  std::string name = clean_header(raw_name);
  std::string_view shown = trim(name);
  std::string address = envelope_address(trim(clean_header(raw_address)));
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
  if (col + 3 + address.size() > kFoldColumn) {
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

}  // namespace mailer::mail
