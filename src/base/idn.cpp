#include "mailer/base/idn.hpp"

#include <idn2.h>

#include <algorithm>
#include <mutex>

#include "mailer/base/shared_library.hpp"

namespace mailer::idn {
namespace {

struct Idn2Api {
  decltype(&::idn2_to_ascii_8z) to_ascii_8z;
  decltype(&::idn2_to_unicode_8z8z) to_unicode_8z8z;
  decltype(&::idn2_free) free;
};

const Idn2Api& api() {
  static std::once_flag once;
  static Idn2Api loaded;
  std::call_once(once, [] {
    SharedLibrary lib("libidn2.so.0", "libidn2-0");
    lib.resolve("idn2_to_ascii_8z", loaded.to_ascii_8z);
    lib.resolve("idn2_to_unicode_8z8z", loaded.to_unicode_8z8z);
    lib.resolve("idn2_free", loaded.free);
  });
  return loaded;
}

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// Calls a libidn2 conversion and takes ownership of its result.
template <class Fn>
std::optional<std::string> convert(Fn fn, std::string_view input, int flags) {
  if (input.find('\0') != std::string_view::npos) return std::nullopt;
  std::string in(input);
  char* out = nullptr;
  if (fn(in.c_str(), &out, flags) != IDN2_OK || out == nullptr) return std::nullopt;
  std::string result(out);
  api().free(out);
  return result;
}

// UTS #46 non-transitional processing (as browsers and mail providers do): "ß" stays "ß".
constexpr int kFlags = IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL;

}  // namespace

std::optional<std::string> to_ascii(std::string_view domain) {
  if (is_ascii(domain)) return std::string(domain);
  return convert(api().to_ascii_8z, domain, kFlags);
}

std::optional<std::string> to_unicode(std::string_view domain) {
  if (is_ascii(domain) && domain.find("xn--") == std::string_view::npos &&
      domain.find("XN--") == std::string_view::npos) {
    std::string lower(domain);
    for (char& c : lower)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return lower;
  }
  auto ascii = to_ascii(domain);
  if (!ascii) return std::nullopt;
  return convert(api().to_unicode_8z8z, *ascii, 0);
}

}  // namespace mailer::idn
