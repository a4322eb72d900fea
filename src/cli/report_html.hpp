#pragma once
// `report --html FILE`: one self-contained page (inline CSS and SVG; no script, font or image
// from outside), readable offline.
#include <string>

#include "mailer/base/records/reports.hpp"

namespace mailer::cli {

// The whole HTML document. Every text from the database is HTML-escaped.
std::string render_html_report(const HtmlReport& report);

}  // namespace mailer::cli
