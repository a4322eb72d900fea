#include "mailer/store/accounts.hpp"

namespace mailer::store {

std::string account_email_key(std::string_view email) {
  std::string key(email);
  for (char& c : key)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return key;
}

}  // namespace mailer::store
