#include "output.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>

#include "mailer/base/utf8.hpp"
#include "mailer/core/csv.hpp"
#include "mailer/core/schedule.hpp"
#include "text_width.hpp"

namespace mailer::cli {

// Every cell is escaped (utf8::visible): stored text and server replies come from others, and
// an ESC in them must not reach the terminal, nor a CR or LF break the table.
std::string Table::render() const {
  std::vector<std::vector<std::string>> cells;
  cells.reserve(rows_.size() + 1);
  cells.push_back(headers_);
  for (const auto& row : rows_) cells.push_back(row);
  std::vector<std::size_t> widths(headers_.size(), 0);
  for (auto& row : cells) {
    row.resize(widths.size());
    for (std::size_t i = 0; i < row.size(); ++i) {
      row[i] = utf8::visible(row[i]);
      widths[i] = std::max(widths[i], display_width(row[i]));
    }
  }
  std::string out;
  for (const auto& row : cells) {
    std::string text;
    for (std::size_t i = 0; i < widths.size(); ++i) {
      text += row[i];
      if (i + 1 < widths.size()) text.append(widths[i] - display_width(row[i]) + 2, ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text + "\n";
  }
  return out;
}

std::string render_fields(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::size_t width = 0;
  for (const auto& [k, v] : fields) width = std::max(width, display_width(k));
  std::string out;
  for (const auto& [k, v] : fields)
    out += fmt::format("{}:{}{}\n", k, std::string(width - display_width(k) + 1, ' '), utf8::visible(v));
  return out;
}

std::string table_time(const std::optional<Time>& t) { return t ? format_local(*t) : std::string(); }

nlohmann::json json_time(const std::optional<Time>& t) {
  return t ? nlohmann::json(format_iso(*t)) : nlohmann::json();
}

std::string ellipsize(const std::string& text, std::size_t width) {
  std::string flat = text;
  std::replace(flat.begin(), flat.end(), '\n', ' ');
  std::replace(flat.begin(), flat.end(), '\r', ' ');
  if (display_width(flat) <= width) return flat;
  std::string out;
  std::size_t w = 0;
  for (std::size_t i = 0; i < flat.size();) {
    std::size_t len = 1;
    unsigned char c = static_cast<unsigned char>(flat[i]);
    if (c >= 0xF0)
      len = 4;
    else if (c >= 0xE0)
      len = 3;
    else if (c >= 0xC0)
      len = 2;
    std::string ch = flat.substr(i, len);
    std::size_t cw = display_width(ch);
    if (w + cw + 1 > width) break;
    out += ch;
    w += cw;
    i += len;
  }
  return out + "…";
}

void add_report_format(CLI::App& cmd, ReportFormat& f) {
  cmd.add_option("--format", f.format, "table (the default) or csv (UTF-8 with BOM, for Excel)")
      ->check(CLI::IsMember({"table", "csv"}));
  cmd.add_option("--delimiter", f.delimiter, "The CSV field separator: , (the default) or ;")
      ->check(CLI::IsMember({",", ";"}));
}

std::string render_csv(const std::vector<std::string>& header,
                       const std::vector<std::vector<std::string>>& rows, const std::vector<bool>& text,
                       char delimiter) {
  std::string out = "\xEF\xBB\xBF";
  out += csv::format_record(header, delimiter);
  std::vector<std::string> cells;
  for (const auto& row : rows) {
    cells.clear();
    for (std::size_t i = 0; i < row.size(); ++i)
      cells.push_back(i < text.size() && text[i] ? csv::defuse_formula(row[i]) : row[i]);
    out += csv::format_record(cells, delimiter);
  }
  return out;
}

std::string csv_decimal(double value, char delimiter) {
  std::string s = fmt::format("{:.4f}", value);
  if (delimiter == ';') std::replace(s.begin(), s.end(), '.', ',');
  return s;
}

std::string csv_time(const std::optional<Time>& t) {
  if (!t) return {};
  const LocalDateTime l = to_local(*t);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", l.year, l.month, l.day, l.hour, l.minute,
                     l.second);
}

std::string percent(double value) { return fmt::format("{:.1f}%", value * 100.0); }

bool stdout_is_terminal() { return ::isatty(STDOUT_FILENO) == 1; }

bool colour_on_stdout() {
  const char* no_colour = std::getenv("NO_COLOR");
  return stdout_is_terminal() && (no_colour == nullptr || *no_colour == '\0');
}

std::size_t terminal_columns() {
  winsize ws{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

nlohmann::json to_json(const User& u) {
  nlohmann::json roles = nlohmann::json::array();
  for (Role r : {Role::user, Role::manager, Role::content_manager, Role::superuser})
    if (u.actor().has(r)) roles.push_back(std::string(to_string(r)));
  return {{"id", u.id},
          {"email", u.email},
          {"name", u.name},
          {"verified", u.verified},
          {"active", u.active},
          {"roles", roles},
          {"created_at", format_iso(u.created_at)}};
}

nlohmann::json to_json(const Client& c) {
  return {
      {"id", c.id},
      {"owner", c.owner_email},
      {"email", c.email},
      {"name", c.name},
      {"comment", c.comment},
      {"groups", c.groups},
      {"unsubscribed_at", json_time(c.unsubscribed_at)},
      {"unsubscribed_via", c.unsubscribed_via ? nlohmann::json(*c.unsubscribed_via) : nlohmann::json()},
      {"suppressed_at", json_time(c.suppressed_at)},
      {"suppressed_reason", c.suppressed_reason ? nlohmann::json(*c.suppressed_reason) : nlohmann::json()},
      {"created_at", format_iso(c.created_at)}};
}

nlohmann::json to_json(const Group& g) {
  return {{"id", g.id},
          {"owner", g.owner_email},
          {"name", g.name},
          {"members", g.members},
          {"created_at", format_iso(g.created_at)}};
}

nlohmann::json to_json(const Message& m) {
  return {{"id", m.id},
          {"owner", m.owner_email},
          {"subject", m.subject},
          {"body_text", m.body_text},
          {"body_html", m.body_html ? nlohmann::json(*m.body_html) : nlohmann::json()},
          {"created_at", format_iso(m.created_at)}};
}

nlohmann::json to_json(const Mailing& m) {
  return {{"id", m.id},
          {"owner", m.owner_email},
          {"name", m.name},
          {"message", m.message},
          {"recipients", {{"clients", m.clients}, {"groups", m.groups}}},
          {"start_at", format_iso(m.start_at)},
          {"end_at", json_time(m.end_at)},
          {"every", std::string(schedule::to_string(m.every))},
          {"status", std::string(schedule::to_string(m.status))},
          {"enabled", m.enabled},
          {"next_run_at", json_time(m.next_run_at)},
          {"created_at", format_iso(m.created_at)}};
}

nlohmann::json to_json(const Mailing& m, const MailingSummary& summary) {
  nlohmann::json out = to_json(m);
  out["subject"] = summary.subject;
  // `recipients` names the clients and groups (SPEC §1); this is how many clients they are now.
  out["recipient_count"] = summary.recipients;
  out["last_run"] = nullptr;
  if (const auto& run = summary.last_run)
    out["last_run"] = {{"id", run->id},
                       {"started_at", format_iso(run->started_at)},
                       {"finished_at", json_time(run->finished_at)},
                       {"recipients", run->recipients},
                       {"sent", run->sent},
                       {"bounced", run->bounced},
                       {"failed", run->failed},
                       {"deferred", run->deferred}};
  return out;
}

}  // namespace mailer::cli
