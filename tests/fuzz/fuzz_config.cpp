// The config loader on any text: a typed Config or one Error{config} naming file and line.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "mailer/core/config.hpp"
#include "mailer/base/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailer;
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    Config config = parse_config(text, "/fuzz/mailer.toml");
    if (config.smtp.connections < 1) std::abort();
  } catch (const Error& e) {
    if (e.code() != Errc::config) std::abort();
    if (std::string(e.what()).rfind("/fuzz/mailer.toml:", 0) != 0) std::abort();
  }
  return 0;
}
