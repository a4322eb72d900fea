#include "mailer/store/database_name.hpp"

namespace mailer::store {

bool is_postgres_url(std::string_view name) {
  return name.starts_with("postgresql://") || name.starts_with("postgres://");
}

std::string redact_postgres_url(std::string_view url) {
  std::string out(url);
  // user:password@host
  if (auto scheme = out.find("://"); scheme != std::string::npos) {
    auto at = out.find('@', scheme + 3);
    auto slash = out.find('/', scheme + 3);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
      auto colon = out.find(':', scheme + 3);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // ?password=... or &password=...
  for (std::size_t p = out.find("password="); p != std::string::npos; p = out.find("password=", p + 1)) {
    if (p > 0 && out[p - 1] != '?' && out[p - 1] != '&') continue;
    auto end = out.find('&', p);
    out.replace(p + 9, (end == std::string::npos ? out.size() : end) - p - 9, "***");
  }
  return out;
}

std::string printable_database_name(std::string_view name) {
  return is_postgres_url(name) ? redact_postgres_url(name) : std::string(name);
}

}  // namespace mailer::store
