#include "mailer/core/url.hpp"

#include <algorithm>
#include <optional>

namespace mailer {
namespace {

// Where the user information of `url` is: the offsets of its first byte and of the '@' that
// ends it.
struct Userinfo {
  std::size_t begin = 0;
  std::size_t at = 0;
};

std::optional<Userinfo> find_userinfo(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  const std::size_t begin = scheme_end + 3;
  // RFC 3986: the authority ends at the first '/', '?' or '#'; the host cannot hold an '@',
  // so the last '@' before that ends the user information (a password may hold an '@').
  const std::size_t end = std::min(url.find_first_of("/?#", begin), url.size());
  const std::size_t at = url.substr(begin, end - begin).rfind('@');
  if (at == std::string_view::npos) return std::nullopt;
  return Userinfo{begin, begin + at};
}

}  // namespace

bool url_has_userinfo(std::string_view url) { return find_userinfo(url).has_value(); }

std::string redact_url(std::string_view url) {
  std::string out;
  if (auto u = find_userinfo(url)) {
    out.append(url.substr(0, u->begin));
    out.append("***");
    url.remove_prefix(u->at);
  }
  for (char c : url) {
    const auto b = static_cast<unsigned char>(c);
    out += b < 0x20 || b == 0x7F ? '?' : c;
  }
  return out;
}

}  // namespace mailer
