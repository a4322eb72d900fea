#include "mailer/base/encoding.hpp"

#include <sodium.h>

#include <vector>

#include "mailer/base/error.hpp"

namespace mailer {

void sodium_ready() {
  // A function-local static makes the one-time init thread-safe without a lock per call.
  static const int status = sodium_init();
  if (status < 0) throw Error(Errc::internal, "libsodium failed to initialise");
}

std::string to_hex(const void* data, std::size_t size) {
  std::string out(2 * size + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), static_cast<const unsigned char*>(data), size);
  out.pop_back();
  return out;
}

std::string random_hex(std::size_t bytes) {
  // An empty vector's data() may be null, which randombytes_buf must not be given.
  if (bytes == 0) return {};
  sodium_ready();
  std::vector<unsigned char> buf(bytes);
  randombytes_buf(buf.data(), buf.size());
  return to_hex(buf.data(), buf.size());
}

}  // namespace mailer
