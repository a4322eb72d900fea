#include "cp1251.hpp"

#include <cerrno>

#include "mailer/base/error.hpp"

namespace mailer::csv {
namespace {

// Cyrillic letters of Windows-1251: А..я, Ёё, and the Ukrainian, Belarusian, Serbian and
// Macedonian ones in 0x80..0xBF.
bool is_letter(unsigned char b) {
  if (b >= 0xC0) return true;
  switch (b) {
    case 0x80:
    case 0x81:
    case 0x83:
    case 0x8A:
    case 0x8C:
    case 0x8D:
    case 0x8E:
    case 0x8F:
    case 0x90:
    case 0x9A:
    case 0x9C:
    case 0x9D:
    case 0x9E:
    case 0x9F:
    case 0xA1:
    case 0xA2:
    case 0xA3:
    case 0xA5:
    case 0xA8:
    case 0xAA:
    case 0xAF:
    case 0xB2:
    case 0xB3:
    case 0xB4:
    case 0xB8:
    case 0xBA:
    case 0xBC:
    case 0xBD:
    case 0xBE:
    case 0xBF:
      return true;
    default:
      return false;
  }
}

constexpr unsigned char kUndefined = 0x98;

}  // namespace

Cp1251Decoder::Cp1251Decoder() : cd_(iconv_open("UTF-8", "CP1251")) {
  if (cd_ == reinterpret_cast<iconv_t>(-1))
    throw Error(Errc::internal, "iconv cannot convert from Windows-1251",
                "glibc's gconv modules are missing; reinstall libc6");
}

Cp1251Decoder::~Cp1251Decoder() { iconv_close(cd_); }

void Cp1251Decoder::append(std::string_view raw, std::string& out) {
  // Every byte becomes at most 3 bytes of UTF-8.
  const std::size_t old_size = out.size();
  out.resize(old_size + raw.size() * 3);
  char* in = const_cast<char*>(raw.data());
  std::size_t in_left = raw.size();
  char* dst = out.data() + old_size;
  std::size_t out_left = raw.size() * 3;
  while (in_left > 0) {
    if (iconv(cd_, &in, &in_left, &dst, &out_left) != static_cast<std::size_t>(-1)) break;
    if (errno != EILSEQ && errno != EINVAL)
      throw Error(Errc::internal, "iconv failed converting Windows-1251");
    *dst++ = static_cast<char>(0xFF);
    --out_left;
    ++in;
    --in_left;
  }
  out.resize(static_cast<std::size_t>(dst - out.data()));
}

bool looks_like_cp1251(std::string_view sample) {
  std::size_t high = 0;
  std::size_t letters = 0;
  std::size_t joined = 0;
  const auto at = [&](std::size_t i) { return static_cast<unsigned char>(sample[i]); };
  for (std::size_t i = 0; i < sample.size(); ++i) {
    const unsigned char b = at(i);
    if (b < 0x80) continue;
    if (b == kUndefined) return false;
    ++high;
    if (!is_letter(b)) continue;
    ++letters;
    if ((i > 0 && is_letter(at(i - 1))) || (i + 1 < sample.size() && is_letter(at(i + 1)))) ++joined;
  }
  return letters > 0 && letters * 2 >= high && joined * 2 >= letters;
}

}  // namespace mailer::csv
