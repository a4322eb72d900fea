// `client import` (SPEC §2): real files from shop owners' spreadsheets. The header may be
// Russian or English, in any case, with columns we do not keep and Excel's empty trailing
// ones; a plain list of addresses needs none. Rows stream from the reader into one
// transaction: a bad row rolls everything back, so memory never holds more than one row.
#include <memory>
#include <span>
#include <utility>

#include <fmt/format.h>

#include "mailer/base/error.hpp"
#include "mailer/base/validate.hpp"
#include "mailer/core/client_import.hpp"
#include "mailer/core/clients.hpp"

#include "import_columns.hpp"
#include "record_access.hpp"

namespace mailer {
namespace {

using detail::Layout;
using detail::trim;

constexpr std::size_t kProblemsShown = 5;

// Checks each row and hands the valid ones to the store's import writer in batches, in file
// order; counts what each did and notes it, so that notes keep the file's order.
class Importer {
 public:
  Importer(store::Database& db, const Actor& actor, const ImportOptions& options, ImportSummary& summary,
           Time now)
      : options_(options), summary_(summary) {
    std::optional<Id> group;
    if (options.group) group = detail::ensure_group(db, actor.id, *options.group, now);
    writer_ = db.clients().start_import(actor.id, group, now);
    batch_.resize(writer_->batch_size());
    lines_.resize(batch_.size());
    outcomes_.resize(batch_.size());
  }

  // Writes the rows still waiting, and puts the clients this import named into the group.
  void finish() {
    if (failed_) return;
    flush();
    writer_->finish();
  }

  void row(const csv::Record& r, const Layout& layout) {
    ++summary_.rows;
    RowNote note;
    note.line = r.line;
    try {
      std::size_t used = r.fields.size();
      while (used > 0 && r.fields[used - 1].empty()) --used;
      if (used > layout.width)
        throw Error(Errc::data,
                    layout.width == 1 && !summary_.header
                        ? fmt::format("{} fields, a list of addresses has one", used)
                        : fmt::format("{} fields, the header has {}", used, layout.width),
                    "quote a field that holds the separator");
      std::string email = normalize_email(cell(r, layout.at[0]), "email");
      const std::string_view name = cell(r, layout.at[1]);
      const std::string_view comment = cell(r, layout.at[2]);
      check_client_fields(name, comment);
      if (!failed_) enqueue(r.line, std::move(email), name, comment);
      return;
    } catch (const Error& e) {
      if (e.code() != Errc::data) throw;
      ++summary_.invalid;
      note.outcome = RowOutcome::invalid;
      note.problem = e.hint().empty() ? e.what() : fmt::format("{} ({})", e.what(), e.hint());
      if (problems_.size() < kProblemsShown)
        problems_.push_back(fmt::format("line {}: {}", r.line, e.what()));
    }
    // The rows before it are written (and noted) first, so that notes keep the file's order.
    if (!failed_) flush();
    if (!options_.skip_invalid) failed_ = true;
    if (options_.on_row) options_.on_row(note);
  }

  // Error{data} listing the first bad rows, when a row failed without skip_invalid.
  void check() const {
    if (!failed_) return;
    std::string lines;
    for (const auto& p : problems_) lines += (lines.empty() ? "" : "; ") + p;
    if (summary_.invalid > problems_.size())
      lines += fmt::format("; and {} more", summary_.invalid - problems_.size());
    throw Error(
        Errc::data,
        fmt::format("{}: {} invalid row(s), nothing imported: {}", options_.source, summary_.invalid, lines),
        "fix them, or use `skip_invalid` to import the rest");
  }

 private:
  // A cell as import reads it: trimmed, and without the ' that export puts before a formula.
  static std::string_view cell(const csv::Record& r, const std::optional<std::size_t>& at) {
    if (!at || *at >= r.fields.size()) return {};
    return trim(csv::strip_formula_guard(trim(r.fields[*at])));
  }

  // Keeps a valid row until the batch is full; the strings' buffers are reused row after row.
  void enqueue(std::size_t line, std::string&& email, std::string_view name, std::string_view comment) {
    ClientFields& row = batch_[pending_];
    std::swap(row.email, email);
    row.name = name;
    row.comment = comment;
    lines_[pending_] = line;
    if (++pending_ == batch_.size()) flush();
  }

  void flush() {
    if (pending_ == 0) return;
    writer_->write(std::span<const ClientFields>(batch_.data(), pending_),
                   std::span<RowOutcome>(outcomes_.data(), pending_));
    for (std::size_t i = 0; i < pending_; ++i) {
      switch (outcomes_[i]) {
        case RowOutcome::added:
          ++summary_.added;
          break;
        case RowOutcome::updated:
          ++summary_.updated;
          break;
        default:
          ++summary_.already_there;
          break;
      }
      if (options_.on_row) options_.on_row(RowNote{lines_[i], outcomes_[i], batch_[i].email, {}});
    }
    pending_ = 0;
  }

  const ImportOptions& options_;
  ImportSummary& summary_;
  std::unique_ptr<store::ClientImport> writer_;
  std::vector<ClientFields> batch_;
  std::vector<std::size_t> lines_;
  std::vector<RowOutcome> outcomes_;
  std::size_t pending_ = 0;
  std::vector<std::string> problems_;
  bool failed_ = false;
};

}  // namespace

std::string_view to_string(RowOutcome outcome) {
  switch (outcome) {
    case RowOutcome::added:
      return "added";
    case RowOutcome::updated:
      return "updated";
    case RowOutcome::already_there:
      return "already there";
    case RowOutcome::invalid:
      break;
  }
  return "invalid";
}

ImportSummary import_clients(store::Database& db, const Actor& actor, csv::Reader& reader,
                             const ImportOptions& options, Time now) {
  std::optional<Layout> given;
  if (options.columns) given = detail::parse_columns(*options.columns);
  ImportSummary summary;
  store::Transaction tx(db);
  Importer importer(db, actor, options, summary, now);
  Layout layout;
  csv::Record record;
  bool started = false;
  try {
    while (reader.next(record)) {
      if (!started) {
        started = true;
        std::tie(layout, summary.header) = detail::read_layout(record, given, summary);
        if (summary.header) continue;
      }
      importer.row(record, layout);
    }
  } catch (const Error& e) {
    // The reader's and the header's errors name a line; the file's name goes first.
    if (e.code() != Errc::data) throw;
    throw Error(Errc::data, fmt::format("{}: {}", options.source, e.what()), e.hint());
  }
  if (!started)
    throw Error(Errc::data, fmt::format("{}: empty file", options.source),
                "the first line must be the header email,name,comment, or the file a list of addresses");
  summary.encoding = reader.encoding();
  importer.check();
  importer.finish();
  tx.commit();
  return summary;
}

ImportSummary import_clients(store::Database& db, const Actor& actor, std::string_view csv_text,
                             std::string_view source, const std::optional<std::string>& group,
                             bool skip_invalid, Time now) {
  csv::StringSource input(csv_text);
  csv::Reader reader(input);
  ImportOptions options;
  options.source = std::string(source);
  options.group = group;
  options.skip_invalid = skip_invalid;
  return import_clients(db, actor, reader, options, now);
}

}  // namespace mailer
