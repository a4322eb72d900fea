// mailer client ...: recipients, one at a time or by CSV (SPEC §2).
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "context.hpp"
#include "input_file.hpp"
#include "mailer/base/error.hpp"
#include "mailer/base/utf8.hpp"
#include "mailer/core/client_import.hpp"
#include "mailer/core/clients.hpp"
#include "mailer/core/groups.hpp"
#include "output.hpp"

namespace mailer::cli {
namespace {

struct ClientOptions {
  std::string email;
  std::optional<std::string> new_email, name, comment, group, search, file, columns, encoding;
  std::vector<std::string> groups;
  std::vector<Id> ids;
  Id id = 0;
  bool all = false;
  bool skip_invalid = false;
  bool raw = false;
  bool unsubscribed = false;
  bool resubscribe = false;
  bool unsubscribe = false;
  bool suppressed = false;
  bool unsuppress = false;
};

// SPEC §6: an output that could not be written (error.hpp has no name for 74 yet).
constexpr auto kOutputError = static_cast<Errc>(74);
constexpr std::size_t kBlock = 64 * 1024;

csv::Encoding parse_encoding(const std::optional<std::string>& name) {
  if (!name) return csv::Encoding::detect;
  std::string n = *name;
  for (char& c : n) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (n == "utf-8" || n == "utf8") return csv::Encoding::utf8;
  if (n == "cp1251" || n == "windows-1251" || n == "win1251" || n == "1251") return csv::Encoding::cp1251;
  throw Error(Errc::usage, fmt::format("--encoding: unknown encoding '{}'", *name),
              "give utf-8, or cp1251 for Windows-1251 (Excel's plain CSV on Russian Windows)");
}

// Per-row notes go to stderr in blocks: a write per row would make a -v import of a million
// rows a million system calls. Flushed when destroyed, so before an error is printed.
class NoteBuffer {
 public:
  explicit NoteBuffer(bool quiet) : quiet_(quiet) {}
  ~NoteBuffer() { flush(); }
  NoteBuffer(const NoteBuffer&) = delete;
  NoteBuffer& operator=(const NoteBuffer&) = delete;
  void add(const std::string& line) {
    if (quiet_) return;
    text_ += line;
    text_ += '\n';
    if (text_.size() >= kBlock) flush();
  }
  void flush() {
    std::cerr << text_ << std::flush;
    text_.clear();
  }

 private:
  bool quiet_;
  std::string text_;
};

void print_import_summary(Context& ctx, const ImportSummary& s) {
  if (ctx.options.json) {
    ctx.print_json({{"rows", s.rows},
                    {"added", s.added},
                    {"updated", s.updated},
                    {"already_there", s.already_there},
                    {"invalid", s.invalid},
                    {"unknown_columns", s.unknown_columns},
                    {"header", s.header},
                    {"encoding", std::string(csv::to_string(s.encoding))}});
    return;
  }
  ctx.out += fmt::format("imported {} row(s): added {}, updated {}, already there {}, invalid {}\n", s.rows,
                         s.added, s.updated, s.already_there, s.invalid);
  if (!s.unknown_columns.empty()) {
    std::string names;
    for (const auto& c : s.unknown_columns) names += (names.empty() ? "" : ", ") + utf8::visible(c);
    ctx.out += fmt::format("ignored columns: {}\n", names);
  }
  if (s.encoding == csv::Encoding::cp1251) ctx.out += "read as Windows-1251\n";
}

void import_command(Context& ctx, const ClientOptions& o) {
  const csv::Encoding encoding = parse_encoding(o.encoding);
  InputFile input(*o.file);
  csv::Reader reader(input, encoding);
  NoteBuffer notes(ctx.options.quiet);
  ImportOptions options;
  options.source = input.name();
  options.group = o.group;
  options.skip_invalid = o.skip_invalid;
  options.columns = o.columns;
  const bool verbose = ctx.options.verbose;
  options.on_row = [&](const RowNote& n) {
    if (n.outcome == RowOutcome::invalid) {
      if (o.skip_invalid)
        notes.add(fmt::format("mailer: {}: skipped line {}: {}", input.name(), n.line, n.problem));
      else if (verbose)
        notes.add(fmt::format("mailer: {}: line {}: invalid: {}", input.name(), n.line, n.problem));
    } else if (verbose) {
      notes.add(
          fmt::format("mailer: {}: line {}: {} {}", input.name(), n.line, to_string(n.outcome), n.email));
    }
  };
  ImportSummary s = import_clients(ctx.db(), ctx.actor(), reader, options, ctx.now());
  notes.flush();
  print_import_summary(ctx, s);
}

// Rows go to stdout as they are read, in blocks, never as one string of the whole list.
void export_command(Context& ctx, const ClientOptions& o) {
  std::string block;
  const auto flush = [&] {
    std::cout.write(block.data(), static_cast<std::streamsize>(block.size()));
    block.clear();
    if (!std::cout)
      throw Error(kOutputError, "cannot write the export to standard output", "is the disk full?");
  };
  export_clients(ctx.db(), ctx.actor(), o.group, o.raw, [&](std::string_view piece) {
    block += piece;
    if (block.size() >= kBlock) flush();
  });
  flush();
  std::cout.flush();
  if (!std::cout)
    throw Error(kOutputError, "cannot write the export to standard output", "is the disk full?");
}

// When and how a client unsubscribed, for `client show`.
std::string unsubscribed_text(const Client& c) {
  if (!c.unsubscribed_at) return "no";
  std::string how = "how was not recorded";
  if (c.unsubscribed_via == "link")
    how = "by the link in a message";
  else if (c.unsubscribed_via == "one-click")
    how = "by the mail program's unsubscribe button (one-click)";
  else if (c.unsubscribed_via == "cli")
    how = "recorded with `mailer client edit --unsubscribe`";
  else if (c.unsubscribed_via)
    how = *c.unsubscribed_via;
  return fmt::format("{} ({})", format_local(*c.unsubscribed_at), how);
}

// When and why bounces suppressed a client's address, for `client show`.
std::string suppressed_text(const Client& c) {
  if (!c.suppressed_at) return "no";
  return fmt::format("{} ({})", format_local(*c.suppressed_at), c.suppressed_reason.value_or(""));
}

void edit_command(Context& ctx, const ClientOptions& o) {
  const Subscription subscription = o.resubscribe   ? Subscription::resubscribe
                                    : o.unsubscribe ? Subscription::unsubscribe
                                                    : Subscription::keep;
  if (!o.new_email && !o.name && !o.comment && subscription == Subscription::keep && !o.unsuppress)
    throw Error(Errc::usage, "nothing to change",
                "give --email, --name, --comment, --resubscribe, --unsubscribe or --unsuppress");
  const ClientEdit edit =
      edit_client(ctx.db(), ctx.actor(), o.id,
                  ClientChanges{o.new_email, o.name, o.comment, subscription, o.unsuppress}, ctx.now());
  const Client& c = edit.client;
  // Asking for what already holds is no error (as `git add` of an added file): said, exit 0.
  if (edit.subscription_unchanged && subscription == Subscription::resubscribe)
    ctx.note(fmt::format("client {} is subscribed already: nothing to resubscribe", c.id));
  if (edit.subscription_unchanged && subscription == Subscription::unsubscribe)
    ctx.note(fmt::format("client {} unsubscribed already on {}: kept as it was", c.id, unsubscribed_text(c)));
  if (edit.suppression_unchanged) ctx.note(fmt::format("client {} is not suppressed: nothing to lift", c.id));
  if (ctx.options.json)
    ctx.print_json(to_json(c));
  else if (o.unsuppress && !edit.suppression_unchanged)
    ctx.note(fmt::format("client {} unsuppressed: the next runs of your mailings send to them again", c.id));
  else if (subscription == Subscription::resubscribe && !edit.subscription_unchanged)
    ctx.note(fmt::format("client {} resubscribed: the next runs of your mailings send to them", c.id));
  else if (subscription == Subscription::unsubscribe && !edit.subscription_unchanged)
    ctx.note(fmt::format("client {} unsubscribed: no mailing of yours sends to them", c.id));
  else
    ctx.note(fmt::format("updated client {}", c.id));
}

void print_client(Context& ctx, const Client& c) {
  if (ctx.options.json) {
    ctx.print_json(to_json(c));
    return;
  }
  std::string groups;
  for (const auto& g : c.groups) groups += (groups.empty() ? "" : ", ") + g;
  ctx.out += render_fields({{"id", std::to_string(c.id)},
                            {"email", c.email},
                            {"name", c.name},
                            {"comment", c.comment},
                            {"groups", groups},
                            {"owner", c.owner_email},
                            {"unsubscribed", unsubscribed_text(c)},
                            {"suppressed", suppressed_text(c)},
                            {"created_at", format_local(c.created_at)}});
}

void print_clients(Context& ctx, const std::vector<Client>& clients, bool with_owner, bool suppressed) {
  if (ctx.options.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& c : clients) arr.push_back(to_json(c));
    ctx.print_json(arr);
    return;
  }
  std::vector<std::string> headers = {"ID", "EMAIL", "NAME", "GROUPS", "COMMENT"};
  if (with_owner) headers.push_back("OWNER");
  if (suppressed) headers.insert(headers.end(), {"SUPPRESSED", "REASON"});
  Table t(headers);
  for (const auto& c : clients) {
    std::string groups;
    for (const auto& g : c.groups) groups += (groups.empty() ? "" : ",") + g;
    const char* mark = c.unsubscribed_at ? " (unsubscribed)" : c.suppressed_at ? " (suppressed)" : "";
    std::vector<std::string> row = {std::to_string(c.id), c.email + mark, c.name, groups,
                                    ellipsize(c.comment, 40)};
    if (with_owner) row.push_back(c.owner_email);
    if (suppressed && c.suppressed_at)
      row.insert(row.end(), {format_local(*c.suppressed_at), c.suppressed_reason.value_or("")});
    t.add(row);
  }
  ctx.out += t.render();
}

}  // namespace

void register_client(CLI::App& app, Context& ctx) {
  auto* client = app.add_subcommand("client", "Recipients: add, list, edit, remove, import and export CSV");
  client->require_subcommand(1);
  {
    auto o = std::make_shared<ClientOptions>();
    auto* cmd = client->add_subcommand("add", "Add a recipient");
    cmd->add_option("EMAIL", o->email, "The recipient's email address")->required();
    cmd->add_option("--name", o->name, "The recipient's name ({{name}} in templates)");
    cmd->add_option("--comment", o->comment, "A note for yourself");
    cmd->add_option("--group", o->groups, "Add to this group (created when missing); repeatable");
    cmd->callback([&ctx, o] {
      Client c = add_client(ctx.db(), ctx.actor(), o->email, o->name.value_or(""), o->comment.value_or(""),
                            o->groups, ctx.now());
      if (ctx.options.json)
        ctx.print_json(to_json(c));
      else
        ctx.note(fmt::format("added client {} <{}>", c.id, c.email));
    });
  }
  {
    auto o = std::make_shared<ClientOptions>();
    auto* cmd = client->add_subcommand("list", "List recipients");
    cmd->add_option("--group", o->group, "Only the members of this group");
    cmd->add_option("--search", o->search, "Only those whose email, name or comment contains TEXT");
    cmd->add_flag("--all", o->all, "Everyone's recipients, with their owner (manager)");
    auto* unsubscribed = cmd->add_flag("--unsubscribed", o->unsubscribed, "Only those who unsubscribed");
    cmd->add_flag(
           "--suppressed", o->suppressed,
           "Only those whose address bounces suppressed, with when and why (see client edit --unsuppress)")
        ->excludes(unsubscribed);
    cmd->callback([&ctx, o] {
      ClientFilter f{o->group, o->search, o->all, o->unsubscribed, o->suppressed};
      print_clients(ctx, list_clients(ctx.db(), ctx.actor(), f), o->all, o->suppressed);
    });
  }
  {
    auto o = std::make_shared<ClientOptions>();
    auto* cmd = client->add_subcommand("show", "Show one recipient");
    cmd->add_option("ID", o->id, "The client's id")->required();
    cmd->callback([&ctx, o] { print_client(ctx, show_client(ctx.db(), ctx.actor(), o->id)); });
  }
  {
    auto o = std::make_shared<ClientOptions>();
    auto* cmd = client->add_subcommand("edit", "Change a recipient");
    cmd->add_option("ID", o->id, "The client's id")->required();
    cmd->add_option("--email", o->new_email, "New email address");
    cmd->add_option("--name", o->name, "New name");
    cmd->add_option("--comment", o->comment, "New comment");
    auto* resubscribe = cmd->add_flag(
        "--resubscribe", o->resubscribe,
        "Clear an unsubscribe, so that your mailings send to the client again (the owner only; only "
        "with the recipient's consent)");
    cmd->add_flag(
           "--unsubscribe", o->unsubscribe,
           "Record an unsubscribe made outside mailer (by phone, by letter): no mailing of yours sends "
           "to the client, a run being sent included")
        ->excludes(resubscribe);
    cmd->add_flag(
        "--unsuppress", o->unsuppress,
        "Lift the suppression that bounces put on the client's address, so that your mailings send to "
        "it again (the owner only); its earlier soft bounces no longer count");
    cmd->callback([&ctx, o] { edit_command(ctx, *o); });
  }
  {
    auto o = std::make_shared<ClientOptions>();
    auto* cmd = client->add_subcommand("rm", "Remove recipients (all or none)");
    cmd->add_option("ID", o->ids, "Client ids")->required();
    cmd->callback([&ctx, o] {
      remove_clients(ctx.db(), ctx.actor(), o->ids);
      if (ctx.options.json)
        ctx.print_json({{"removed", o->ids}});
      else
        ctx.note(fmt::format("removed {} client(s)", o->ids.size()));
    });
  }
  {
    auto o = std::make_shared<ClientOptions>();
    auto* cmd = client->add_subcommand(
        "import",
        "Import clients from CSV (a header such as email,name,comment or почта;имя;комментарий, or a list of "
        "addresses; UTF-8 or Windows-1251, ',' or ';'); a bad row imports nothing");
    cmd->add_option("FILE", o->file, "The CSV file, or - for standard input")->required();
    cmd->add_option("--group", o->group, "Add every imported client to this group (created when missing)");
    cmd->add_flag("--skip-invalid", o->skip_invalid, "Import the valid rows and report the bad ones");
    cmd->add_option("--columns", o->columns,
                    "The columns by position instead of a header, e.g. email,name,comment or email,,name (an "
                    "empty entry skips a column)");
    cmd->add_option(
        "--encoding", o->encoding,
        "utf-8 or cp1251 (Windows-1251); default: UTF-8, or Windows-1251 when the file is not UTF-8 "
        "and reads as Cyrillic");
    cmd->callback([&ctx, o] { import_command(ctx, *o); });
  }
  {
    auto o = std::make_shared<ClientOptions>();
    auto* cmd = client->add_subcommand("export", "Write your recipients as CSV to standard output");
    cmd->add_option("--group", o->group, "Only the members of this group");
    cmd->add_flag("--raw", o->raw,
                  "Keep cells that start with = + - @ as they are (by default they get a leading ' so that a "
                  "spreadsheet does not run them as formulas)");
    cmd->callback([&ctx, o] { export_command(ctx, *o); });
  }
}

void report_case_duplicates(store::Database& db, Time now) {
  std::vector<CaseDuplicate> found;
  try {
    found = take_case_duplicates(db, now);
  } catch (const Error&) {
    return;  // a busy or read-only database: said by a later command
  }
  for (const auto& d : found) {
    if (d.kind == "client") {
      std::cerr << fmt::format(
          "mailer: clients {} <{}> and {} <{}> of {} differ only in case; merge them by hand (`mailer client "
          "edit`, "
          "`mailer client rm`)\n",
          d.first, utf8::visible(d.first_text), d.id, utf8::visible(d.text), d.owner_email);
    } else {
      std::cerr << fmt::format(
          "mailer: groups '{}' ({}) and '{}' ({}) of {} differ only in case; move the members into one and "
          "remove "
          "the other (`mailer group add-member`, `mailer group rm`)\n",
          utf8::visible(d.first_text), d.first, utf8::visible(d.text), d.id, d.owner_email);
    }
  }
}

}  // namespace mailer::cli
