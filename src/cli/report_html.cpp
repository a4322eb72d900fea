// PLACEHOLDER until the HTML report lands (helper i10-html replaces this file).
#include "report_html.hpp"

namespace mailer::cli {

std::string render_html_report(const HtmlReport& report) {
  return "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>report</title></head><body>" +
         std::to_string(report.mailings.size()) + "</body></html>\n";
}

}  // namespace mailer::cli
