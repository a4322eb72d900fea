// The columns of an imported CSV (see import_columns.hpp). Real files name them in Russian or
// English, in any case, with dots and dashes ("E-Mail", "Эл. почта", "Ф.И.О."), add columns we
// do not keep and, from Excel, empty ones at the end.
#include "import_columns.hpp"

#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "mailer/base/error.hpp"
#include "mailer/base/text_fold.hpp"
#include "mailer/base/utf8.hpp"

namespace mailer::detail {
namespace {

enum class Column { email, name, comment };

// Header names, as header_key() leaves them: folded, "ё" as "е", without blanks and . - _ : *
// (so "E-Mail", "Эл. почта", "Ф.И.О." match).
constexpr std::pair<std::string_view, Column> kAliases[] = {
    {"email", Column::email},
    {"mail", Column::email},
    {"emailaddress", Column::email},
    {"почта", Column::email},
    {"адрес", Column::email},
    {"электроннаяпочта", Column::email},
    {"элпочта", Column::email},
    {"эпочта", Column::email},
    {"адресэлектроннойпочты", Column::email},
    {"адресэлпочты", Column::email},
    {"электронныйадрес", Column::email},
    {"емейл", Column::email},
    {"имейл", Column::email},
    {"мейл", Column::email},
    {"name", Column::name},
    {"fullname", Column::name},
    {"имя", Column::name},
    {"фио", Column::name},
    {"полноеимя", Column::name},
    {"имяфамилия", Column::name},
    {"фамилияимя", Column::name},
    {"фамилияимяотчество", Column::name},
    {"comment", Column::comment},
    {"comments", Column::comment},
    {"note", Column::comment},
    {"notes", Column::comment},
    {"комментарий", Column::comment},
    {"комментарии", Column::comment},
    {"примечание", Column::comment},
    {"примечания", Column::comment},
    {"заметка", Column::comment},
    {"заметки", Column::comment},
};

constexpr std::string_view kColumnNames[] = {"email", "name", "comment"};
constexpr const char* kHeaderHint =
    "name the columns on the first line (email;name;comment, or почта;имя;комментарий), or give "
    "`columns` email,name,comment";

std::string header_key(std::string_view cell) {
  std::string key = fold_for_search(trim(cell));
  std::erase_if(key, [](char c) { return std::string_view(" \t.-_:*").find(c) != std::string_view::npos; });
  return key;
}

std::optional<Column> column_of(std::string_view cell) {
  const std::string key = header_key(cell);
  for (const auto& [alias, column] : kAliases)
    if (alias == key) return column;
  return std::nullopt;
}

bool is_blank(const std::string& field) { return trim(field).empty(); }

}  // namespace

std::string_view trim(std::string_view s) {
  const std::size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t") + 1 - b);
}

Layout parse_columns(std::string_view list) {
  Layout layout;
  std::size_t position = 0;
  while (true) {
    const std::size_t comma = list.find(',');
    const std::string_view entry = trim(list.substr(0, comma));
    if (!entry.empty()) {
      const auto column = column_of(entry);
      if (!column)
        throw Error(Errc::bad_request, fmt::format("columns: unknown column '{}'", utf8::visible(entry)),
                    "name each position email, name or comment (or почта, имя, комментарий); leave a "
                    "position empty to skip that column, as in `columns` email,,name");
      auto& slot = layout.at[static_cast<int>(*column)];
      if (slot)
        throw Error(Errc::bad_request,
                    fmt::format("columns: '{}' is given twice", kColumnNames[static_cast<int>(*column)]));
      slot = position;
    }
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
    ++position;
  }
  if (!layout.at[0])
    throw Error(Errc::bad_request, "columns: no email column", "for example `columns` email,name,comment");
  return layout;
}

std::pair<Layout, bool> read_layout(const csv::Record& first, const std::optional<Layout>& given,
                                    ImportSummary& summary) {
  const auto& cells = first.fields;
  const auto unknown = [&](const Layout& layout) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
      const bool mapped =
          std::any_of(std::begin(layout.at), std::end(layout.at), [&](auto& at) { return at == i; });
      if (!mapped && !is_blank(cells[i])) summary.unknown_columns.emplace_back(trim(cells[i]));
    }
  };
  if (given) {
    // With --columns the first line is data, unless it is a header (its email cell holds no
    // address): then it is skipped, so one command reads files with and without one.
    const std::size_t at = *given->at[0];
    const bool header = at >= cells.size() || cells[at].find('@') == std::string::npos;
    if (header) unknown(*given);
    return {*given, header};
  }
  Layout layout;
  bool any = false;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const auto column = column_of(cells[i]);
    if (!column) continue;
    auto& slot = layout.at[static_cast<int>(*column)];
    if (slot)
      throw Error(Errc::data,
                  fmt::format("line {}: two {} columns ('{}' and '{}')", first.line,
                              kColumnNames[static_cast<int>(*column)], utf8::visible(cells[*slot]),
                              utf8::visible(cells[i])),
                  "rename one, or give `columns` to say which to read");
    slot = i;
    any = true;
  }
  if (any) {
    if (!layout.at[0])
      throw Error(Errc::data, fmt::format("line {}: no email column in the header", first.line), kHeaderHint);
    layout.width = cells.size();
    unknown(layout);
    return {layout, true};
  }
  // No header: a plain list of addresses, one a line.
  std::vector<std::size_t> filled;
  for (std::size_t i = 0; i < cells.size(); ++i)
    if (!is_blank(cells[i])) filled.push_back(i);
  if (filled.size() == 1 && cells[filled[0]].find('@') != std::string::npos) {
    layout.at[0] = filled[0];
    layout.width = filled[0] + 1;
    return {layout, false};
  }
  if (!filled.empty() && cells[filled[0]].find('@') != std::string::npos)
    throw Error(Errc::data, fmt::format("line {}: no header, and more than one column", first.line),
                kHeaderHint);
  throw Error(Errc::data, fmt::format("line {}: no email column in the header", first.line), kHeaderHint);
}

}  // namespace mailer::detail
