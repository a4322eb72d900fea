// `report --html FILE`: the page. Everything it shows is inside it (inline CSS and SVG), and a
// Content-Security-Policy forbids it to load or run anything, so it opens offline and cannot
// call home even if a stored text slipped past the escaping.
#include "report_html.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include <fmt/format.h>

#include "html_escape.hpp"
#include "mailer/base/time.hpp"
#include "report_svg.hpp"

namespace mailer::cli {
namespace {

constexpr const char* kStyle = R"css(
:root { color-scheme: light; --ink: #1b1f24; --muted: #5b6470; --line: #d8dde3; --panel: #f5f7f9; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1160px; padding: 24px 28px 40px; color: var(--ink); background: #fff;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 0 0 10px; }
section { margin-top: 28px; break-inside: avoid; page-break-inside: avoid; }
.meta, .note, .raw, .owner { color: var(--muted); }
.meta { margin: 0; }
.note { margin: 0; padding: 14px 16px; background: var(--panel); border-radius: 6px; }
.rates { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 14px; }
.rate { padding: 14px 18px; background: var(--panel); border-radius: 8px; border-left: 6px solid var(--accent); }
.rate .figure { display: block; font-size: 40px; font-weight: 700; line-height: 1.1;
  font-variant-numeric: tabular-nums; }
.rate .name { display: block; font-weight: 600; }
.rate .detail { display: block; color: var(--muted); font-size: 13px; }
.chart { display: block; width: 100%; height: auto; font-size: 13px; fill: var(--ink); }
.chart .grid { stroke: var(--line); stroke-width: 1; }
.chart .axis { stroke: var(--muted); stroke-width: 1.5; }
.chart .title { fill: var(--muted); }
.chart .hover { fill: transparent; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { padding: 5px 6px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: var(--panel); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
td.text { min-width: 9em; }
tfoot td { font-weight: 600; border-top: 2px solid var(--muted); }
td.url { overflow-wrap: anywhere; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
td.reason { white-space: pre-wrap; overflow-wrap: anywhere; }
.owner { display: block; font-size: 12px; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  .scroll { overflow: visible; }
  .rate, .note, th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
@page { margin: 14mm; }
)css";

// A fraction as a percentage; a rate the database could not compute shows as 0.
std::string percent(double fraction) {
  if (!std::isfinite(fraction)) fraction = 0;
  return fmt::format("{:.1f}%", fraction * 100);
}

double ratio(std::int64_t part, std::int64_t whole) {
  return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

// 12345 as "12 345" (a narrow no-break space between thousands), readable in any language.
std::string count(std::int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  // The sign first, never inserted in front: g++ 12 -O3 warns falsely (-Wrestrict) on insert.
  std::string out = v < 0 ? "-" : "";
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += "\u202F";
    out += digits[i];
  }
  return out;
}

std::string day_of(Time t) {
  const LocalDateTime l = to_local(t);
  return fmt::format("{:02}.{:02}.{}", l.day, l.month, l.year);
}

MailingReport totals_of(const std::vector<MailingReport>& mailings) {
  MailingReport t;
  for (const auto& m : mailings) {
    t.recipients += m.recipients;
    t.sent += m.sent;
    t.bounced += m.bounced;
    t.deferred += m.deferred;
    t.failed += m.failed;
    t.opened += m.opened;
    t.opens += m.opens;
    t.clicked += m.clicked;
    t.clicks += m.clicks;
    t.unsubscribed += m.unsubscribed;
  }
  t.delivery_rate = ratio(t.sent, t.recipients);
  t.open_rate = ratio(t.opened, t.sent);
  t.click_rate = ratio(t.clicked, t.sent);
  return t;
}

std::string title_of(const HtmlReport& r) { return r.title.empty() ? "Mailing report" : r.title; }

std::string header(const HtmlReport& r) {
  std::string out =
      fmt::format("<header>\n<h1>{}</h1>\n<p class=\"meta\">Generated <time datetime=\"{}\">{}</time>",
                  html_escape(title_of(r)), format_iso(r.generated_at), format_local(r.generated_at));
  out += fmt::format(" · {} mailing{}", count(static_cast<std::int64_t>(r.mailings.size())),
                     r.mailings.size() == 1 ? "" : "s");
  if (!r.days.empty()) {
    Time first = r.days.front().start;
    Time last = first;
    for (const auto& d : r.days) {
      first = std::min(first, d.start);
      last = std::max(last, d.start);
    }
    out += " · ";
    out += day_of(first);
    if (day_of(last) != day_of(first)) {
      out += " – ";
      out += day_of(last);
    }
  }
  return out + "</p>\n</header>\n";
}

std::string rate_card(const char* name, const char* accent, double rate, const std::string& detail) {
  return fmt::format(
      "<div class=\"rate\" style=\"--accent: {}\"><span class=\"figure\">{}</span><span "
      "class=\"name\">{}</span><span class=\"detail\">{}</span></div>\n",
      accent, percent(rate), name, detail);
}

std::string rates(const MailingReport& t) {
  std::string out = "<section class=\"rates\" aria-label=\"Rates\">\n";
  out += rate_card("delivered", "#009E73", t.delivery_rate,
                   fmt::format("{} sent of {} recipients", count(t.sent), count(t.recipients)));
  out += rate_card("opened", "#0072B2", t.open_rate,
                   fmt::format("{} unique openers of {} sent, {} opens in all", count(t.opened),
                               count(t.sent), count(t.opens)));
  out += rate_card("clicked", "#D55E00", t.click_rate,
                   fmt::format("{} unique clickers, {} clicks in all", count(t.clicked), count(t.clicks)));
  out += rate_card("unsubscribed", "#5b6470", ratio(t.unsubscribed, t.sent),
                   fmt::format("{} of {} sent; {} bounced, {} failed, {} deferred", count(t.unsubscribed),
                               count(t.sent), count(t.bounced), count(t.failed), count(t.deferred)));
  return out + "</section>\n";
}

std::string chart(const char* heading, const std::string& svg, const char* empty) {
  std::string out = fmt::format("<section>\n<h2>{}</h2>\n", heading);
  out += svg.empty() ? fmt::format("<p class=\"note\">{}</p>\n", empty)
                     : fmt::format("<figure style=\"margin:0\">\n{}</figure>\n", svg);
  return out + "</section>\n";
}

std::string num_cell(std::int64_t v) { return fmt::format("<td class=\"num\">{}</td>", count(v)); }

// A row's figures after its name and subject (the table's body and its totals share them).
std::string figures(const MailingReport& m) {
  std::string out = num_cell(m.recipients) + num_cell(m.sent) + num_cell(m.bounced) + num_cell(m.deferred) +
                    num_cell(m.failed);
  out += fmt::format("<td class=\"num\">{}<span class=\"raw\"> ({})</span></td>", count(m.opened),
                     count(m.opens));
  out += fmt::format("<td class=\"num\">{}<span class=\"raw\"> ({})</span></td>", count(m.clicked),
                     count(m.clicks));
  out += num_cell(m.unsubscribed);
  out += fmt::format("<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
                     percent(m.delivery_rate), percent(m.open_rate), percent(m.click_rate));
  return out;
}

std::string mailings_table(const std::vector<MailingReport>& mailings, const MailingReport& totals) {
  std::string out = "<section>\n<h2>Mailings</h2>\n";
  if (mailings.empty()) return out + "<p class=\"note\">No mailings match this report.</p>\n</section>\n";
  out +=
      "<div class=\"scroll\"><table>\n<thead><tr><th class=\"num\">#</th><th>name</th><th>subject</th>"
      "<th class=\"num\">recipients</th><th class=\"num\">sent</th><th class=\"num\">bounced</th>"
      "<th class=\"num\">deferred</th><th class=\"num\">failed</th><th class=\"num\">opened (all)</th>"
      "<th class=\"num\">clicked (all)</th><th class=\"num\">unsubscribed</th><th class=\"num\">delivery</th>"
      "<th class=\"num\">open rate</th><th class=\"num\">click rate</th></tr></thead>\n<tbody>\n";
  for (const auto& m : mailings) {
    out += fmt::format("<tr><td class=\"num\">{}</td><td class=\"text\">{}", m.mailing, html_escape(m.name));
    if (!m.owner_email.empty())
      out += fmt::format("<span class=\"owner\">{}</span>", html_escape(m.owner_email));
    out += fmt::format("</td><td class=\"text\">{}</td>{}</tr>\n", html_escape(m.subject), figures(m));
  }
  out += "</tbody>\n";
  if (mailings.size() > 1) {
    out += fmt::format("<tfoot><tr><td></td><td colspan=\"2\">all</td>{}</tr></tfoot>\n", figures(totals));
  }
  return out + "</table></div>\n</section>\n";
}

// The URLs are text, not links: opening the report must not hit the tracked sites.
std::string links_table(const std::vector<LinkReport>& links) {
  std::string out = "<section>\n<h2>Top links</h2>\n";
  if (links.empty()) return out + "<p class=\"note\">No clicks recorded yet.</p>\n</section>\n";
  out +=
      "<table>\n<thead><tr><th>URL</th><th class=\"num\">clicks</th><th class=\"num\">unique "
      "clickers</th></tr></thead>\n<tbody>\n";
  for (const auto& l : links) {
    out += fmt::format("<tr><td class=\"url\">{}</td>{}{}</tr>\n", html_escape(l.url), num_cell(l.clicks),
                       num_cell(l.unique_clickers));
  }
  return out + "</tbody>\n</table>\n</section>\n";
}

// The reasons the bounce events give (mailed reports, 5xx to RCPT), then, for bounced attempts
// with no event (logged before mailer recorded them), the server's reply as it was.
std::string bounces_table(const std::vector<BounceEventReason>& events,
                          const std::vector<BounceReason>& older) {
  std::string out = "<section>\n<h2>Bounce reasons</h2>\n";
  if (events.empty() && older.empty()) return out + "<p class=\"note\">No bounces.</p>\n</section>\n";
  out +=
      "<table>\n<thead><tr><th>reason</th><th>hard/soft</th><th class=\"num\">bounces</th>"
      "<th>example (the server's words)</th></tr></thead>\n<tbody>\n";
  for (const auto& b : events) {
    out +=
        fmt::format("<tr><td>{}</td><td>{}</td>{}<td class=\"reason\">{}</td></tr>\n", html_escape(b.reason),
                    html_escape(b.severity), num_cell(b.bounces), html_escape(b.example));
  }
  for (const auto& b : older) {
    out += fmt::format(
        "<tr><td class=\"owner\">{}</td><td class=\"owner\">—</td>{}<td class=\"reason\">{}</td></tr>\n",
        b.smtp_code ? fmt::format("SMTP {}", *b.smtp_code) : "—", num_cell(b.count), html_escape(b.reason));
  }
  out += "</tbody>\n</table>\n";
  if (!older.empty())
    out +=
        "<p class=\"meta\">Rows with an SMTP code for a reason are bounces logged before mailer recorded "
        "why: the server's reply as it was.</p>\n";
  return out + "</section>\n";
}

}  // namespace

std::string render_html_report(const HtmlReport& report) {
  const MailingReport totals = totals_of(report.mailings);
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
      "'unsafe-inline'\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"generator\" content=\"mailer\">\n<title>";
  out += html_escape(title_of(report));
  out += "</title>\n<style>";
  out += kStyle;
  out += "</style>\n</head>\n<body>\n";
  out += header(report);
  out += rates(totals);
  out += chart("Deliveries per day", svg_deliveries_chart(report.days),
               "No deliveries in this period yet: the chart appears after the first send.");
  out += chart("Opens and clicks per day", svg_engagement_chart(report.days),
               "No opens or clicks recorded yet. They are tracked when tracking.base_url is set and "
               "<code>mailer serve</code> answers the pixel and the links.");
  out += mailings_table(report.mailings, totals);
  out += links_table(report.top_links);
  out += bounces_table(report.bounce_events, report.bounce_reasons);
  out += fmt::format(
      "<footer>Times are local (UTC{}). Opens and clicks are counted once per recipient; the figures in "
      "brackets are all of them.</footer>\n</body>\n</html>\n",
      format_iso(report.generated_at).substr(19));
  return out;
}

}  // namespace mailer::cli
