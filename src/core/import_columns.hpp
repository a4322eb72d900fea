#pragma once
// Which field of a CSV row is what, for `client import`: the header's names (English and
// Russian aliases, any case), --columns by position, or a list of addresses alone.
#include <cstddef>
#include <limits>
#include <optional>
#include <string_view>
#include <utility>

#include "mailer/core/client_import.hpp"
#include "mailer/core/csv.hpp"

namespace mailer::detail {

// Which field holds the email, name and comment. `width`: how many fields a row may have
// (more only when the extra ones are empty).
struct Layout {
  std::optional<std::size_t> at[3];
  std::size_t width = std::numeric_limits<std::size_t>::max();
};

// --columns: "email,,name" maps by position, an empty entry skipping a column.
// Error{bad_request} naming `columns`.
Layout parse_columns(std::string_view list);

// Reads the first record: the header, or (without one) the first row. Returns the layout
// and whether that record was a header; names ignored header cells in summary.unknown_columns.
// Error{data, "line 1: ..."} when no column holds the addresses.
std::pair<Layout, bool> read_layout(const csv::Record& first, const std::optional<Layout>& given,
                                    ImportSummary& summary);

// A field without surrounding blanks.
std::string_view trim(std::string_view s);

}  // namespace mailer::detail
