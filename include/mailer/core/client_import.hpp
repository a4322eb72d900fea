#pragma once
// `client import`: a CSV of clients streamed into the database in one all-or-nothing
// transaction (SPEC §2). Memory stays flat whatever the file's size: rows are read, checked
// and written one at a time, and duplicates are found through the database's index.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailer/base/records/clients.hpp"
#include "mailer/base/time.hpp"
#include "mailer/core/access.hpp"
#include "mailer/core/csv.hpp"
#include "mailer/store/database.hpp"

namespace mailer {

// "added" | "updated" | "already there" | "invalid".
std::string_view to_string(RowOutcome outcome);

struct RowNote {
  std::size_t line = 0;
  RowOutcome outcome = RowOutcome::added;
  std::string email;    // as stored; empty for an invalid row
  std::string problem;  // for an invalid row: "email: invalid email address 'x' (no '@' ...)"
};

struct ImportOptions {
  std::string source = "stdin";  // how messages name the input
  std::optional<std::string> group;
  bool skip_invalid = false;
  // The columns by position ("email", "name", "comment", an alias, or "" to skip one), given
  // instead of a header; the first line is still taken for a header when its email cell
  // holds no '@'. Unset: the header names them, or a file of addresses alone has none.
  std::optional<std::string> columns;
  // Called for each row, in file order, as it is done (per-row notes).
  std::function<void(const RowNote&)> on_row;
};

struct ImportSummary {
  std::size_t rows = 0;                      // data rows read (not the header)
  std::size_t added = 0;                     // rows that made a new client
  std::size_t updated = 0;                   // rows that changed an existing client's name or comment
  std::size_t already_there = 0;             // rows that changed nothing (the client was there as written)
  std::size_t invalid = 0;                   // rows left out (with skip_invalid)
  bool header = true;                        // whether the first line was a header
  std::vector<std::string> unknown_columns;  // header cells ignored, as written
  csv::Encoding encoding = csv::Encoding::utf8;
};

// Imports the CSV `reader` reads. Any bad row: Error{data} naming the first bad lines, and
// nothing imported (the transaction rolls back), unless skip_invalid.
ImportSummary import_clients(store::Database& db, const Actor& actor, csv::Reader& reader,
                             const ImportOptions& options, Time now);

// The same over a string (tests, small inputs).
ImportSummary import_clients(store::Database& db, const Actor& actor, std::string_view csv_text,
                             std::string_view source, const std::optional<std::string>& group,
                             bool skip_invalid, Time now);

}  // namespace mailer
