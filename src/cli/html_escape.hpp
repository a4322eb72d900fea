#pragma once
// Text from the database inside the HTML report.
#include <string>
#include <string_view>

namespace mailer::cli {

// `text` as HTML text or a quoted attribute value: & < > " ' become character references; an
// ill-formed byte and a control character other than TAB, LF and CR become U+FFFD, so that a
// stored NUL or half a character cannot break the page.
std::string html_escape(std::string_view text);

}  // namespace mailer::cli
