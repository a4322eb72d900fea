#include "params.hpp"

#include <cctype>

namespace mailer::store::postgres {

std::string numbered_parameters(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 8);
  int next = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {  // a literal or a quoted name, with its doubled quotes
      std::size_t end = i + 1;
      while (end < sql.size() && !(sql[end] == c && (end + 1 >= sql.size() || sql[end + 1] != c)))
        end += sql[end] == c ? 2 : 1;
      out.append(sql.substr(i, end + 1 - i));
      i = end;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      const std::size_t end = sql.find('\n', i);
      out.append(sql.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i));
      if (end == std::string_view::npos) break;
      i = end - 1;
    } else if (c == '?') {
      std::size_t j = i + 1;
      while (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j]))) ++j;
      if (j > i + 1) {
        const int n = std::stoi(std::string(sql.substr(i + 1, j - i - 1)));
        if (n > next) next = n;
        out += '$';
        out.append(sql.substr(i + 1, j - i - 1));
        i = j - 1;
      } else {
        out += '$' + std::to_string(++next);
      }
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace mailer::store::postgres
