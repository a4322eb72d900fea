// Address validation on any bytes: what is accepted normalises to an address that is still
// valid, whose key is stable, and that carries nothing a header or an SMTP command could not.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "mailer/base/error.hpp"
#include "mailer/base/validate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailer;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  bool valid = is_valid_email(text);
  std::string normal;
  try {
    normal = normalize_email(text, "email");
  } catch (const Error& e) {
    if (e.code() != Errc::data) std::abort();
    return 0;
  }
  (void)valid;
  if (normal.find_first_of("\r\n<>") != std::string::npos) std::abort();
  if (!is_valid_email(normal)) std::abort();
  if (normalize_email(normal, "email") != normal) std::abort();
  if (email_key(normal) != email_key(normalize_email(normal, "email"))) std::abort();
  return 0;
}
