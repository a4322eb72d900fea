// Case folding through glibc: towupper_l/towlower_l in the built-in C.UTF-8 locale carry
// every simple case mapping of Unicode (checked on Debian 12's glibc 2.36: Cyrillic, Greek,
// Armenian, Georgian, Cherokee, Deseret, Adlam...). Lowering the uppercase form, rather than
// lowering alone, puts the letters that have two lowercase forms into one class ("ς" and "σ",
// "ſ" and "s", "ᲀ" and "в"), which is what CaseFolding.txt's simple folding does. This needs no
// new library; libunistring's u8_casefold (full folding: "ß" = "ss") would have to be loaded
// with dlopen for a difference that no Russian address or group name shows.
#include "mailer/base/text_fold.hpp"

#include <locale.h>
#include <wctype.h>

#include "mailer/base/error.hpp"
#include "mailer/base/utf8.hpp"

namespace mailer {
namespace {

// The locale lives as long as the process; newlocale is costly, so it is made once.
locale_t unicode_locale() {
  static const locale_t loc = [] {
    locale_t l = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
    if (l == static_cast<locale_t>(nullptr))
      throw Error(Errc::internal, "the C.UTF-8 locale is missing, so text cannot be compared ignoring case",
                  "it comes with glibc (Debian's libc-bin); reinstall it");
    return l;
  }();
  return loc;
}

char32_t fold_code_point(char32_t cp) {
  const locale_t loc = unicode_locale();
  const auto upper = towupper_l(static_cast<wint_t>(cp), loc);
  return static_cast<char32_t>(towlower_l(upper, loc));
}

void fold_into(std::string& out, std::string_view text, bool compose_yo) {
  for (std::size_t i = 0; i < text.size();) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b < 0x80) {
      out += static_cast<char>(b >= 'A' && b <= 'Z' ? b - 'A' + 'a' : b);
      ++i;
      continue;
    }
    const std::size_t start = i;
    const char32_t cp = utf8::decode(text, i);
    if (cp == utf8::kInvalid) {
      out += static_cast<char>(b);
      continue;
    }
    const char32_t folded = fold_code_point(cp);
    if (compose_yo && cp == 0x0308 && out.ends_with("е")) {
      out.replace(out.size() - 2, 2, "ё");
      continue;
    }
    if (folded == cp) {
      out.append(text.substr(start, i - start));
    } else {
      utf8::append(out, folded);
    }
  }
}

std::string fold(std::string_view text, bool compose_yo) {
  std::string out;
  out.reserve(text.size());
  fold_into(out, text, compose_yo);
  return out;
}

}  // namespace

std::string fold_case(std::string_view text) { return fold(text, false); }

void append_folded(std::string& out, std::string_view text) { fold_into(out, text, false); }

std::string fold_for_search(std::string_view text) { return fold(text, true); }

bool search_matches(std::string_view text, std::string_view needle) {
  constexpr std::string_view kYe = "е";
  constexpr std::string_view kYo = "ё";
  if (needle.empty()) return true;
  for (std::size_t start = 0; start + needle.size() <= text.size(); ++start) {
    std::size_t i = 0;
    std::size_t j = start;
    // "е" and "ё" are both two bytes, so positions stay in step.
    while (i < needle.size() && j < text.size()) {
      if (needle.substr(i, 2) == kYe && (text.substr(j, 2) == kYe || text.substr(j, 2) == kYo)) {
        i += 2;
        j += 2;
      } else if (needle[i] == text[j]) {
        ++i;
        ++j;
      } else {
        break;
      }
    }
    if (i == needle.size()) return true;
  }
  return false;
}

}  // namespace mailer
