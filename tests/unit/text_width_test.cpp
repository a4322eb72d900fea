// cli/text_width: the columns a table cell takes on a terminal.
#include "cli/text_width.hpp"

#include <doctest/doctest.h>

using mailer::display_width;

TEST_CASE("text_width: ASCII and Cyrillic take a column a letter, controls none") {
  CHECK(display_width("Иван, скидка 20%") == 16);
  CHECK(display_width("a\tb") == 2);
  CHECK(display_width("\x1B[31m") == 4);  // ESC takes none, "[31m" four
}

TEST_CASE("text_width: wide and zero-width ranges at their edges") {
  CHECK(display_width("\u1100") == 2);  // first Hangul Jamo, wide
  CHECK(display_width("\u115F") == 2);  // last wide Jamo
  CHECK(display_width("\u1160") == 0);  // medial vowels join the syllable
  CHECK(display_width("\u4E00\u9FFF") == 4);
  CHECK(display_width("\uFE0F") == 0);  // variation selector
  CHECK(display_width("\U0001F600") == 2);
  CHECK(display_width("\U000E0100") == 0);
  CHECK(display_width("\xC3\x82\xC2\x80") == 1);  // Â (1) and a C1 control (0)
}

TEST_CASE("text_width: an ill-formed byte takes one column, as the terminal's U+FFFD") {
  CHECK(display_width("\xC3") == 1);
  CHECK(display_width("\xE2\x82") == 2);
}
