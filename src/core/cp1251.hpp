#pragma once
// Windows-1251, the "ANSI" code page of Russian Windows, which Excel's plain "CSV" type writes.
#include <iconv.h>

#include <string>
#include <string_view>

namespace mailer::csv {

// Converts Windows-1251 to UTF-8 with glibc's iconv.
class Cp1251Decoder {
 public:
  Cp1251Decoder();
  ~Cp1251Decoder();
  Cp1251Decoder(const Cp1251Decoder&) = delete;
  Cp1251Decoder& operator=(const Cp1251Decoder&) = delete;

  // Appends `raw` in UTF-8 to `out`. The one byte with no character (0x98) becomes the
  // ill-formed byte 0xFF, so that the reader reports it with its line like any bad text.
  void append(std::string_view raw, std::string& out);

 private:
  iconv_t cd_;
};

// True when `sample` (text that is not UTF-8, from its first non-ASCII byte) reads as
// Cyrillic in Windows-1251: no undefined byte, mostly letters, and letters next to letters
// as in words. The last test tells it from Latin-1 (Müller, Straße), whose accented letters
// sit alone between ASCII ones.
bool looks_like_cp1251(std::string_view sample);

}  // namespace mailer::csv
