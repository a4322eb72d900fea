#pragma once
// Terminal columns of user text, for the aligned tables the CLI prints.
#include <cstddef>
#include <string_view>

namespace mailer {

// Number of terminal columns of a UTF-8 string (code points; wide CJK counts 2).
std::size_t display_width(std::string_view utf8);

}  // namespace mailer
