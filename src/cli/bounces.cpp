// mailer bounces parse FILE|-: what one report says, recipient by recipient (SPEC §2). Touches
// no database and needs no session: users run it on a report they do not understand.
#include <memory>
#include <string>

#include <fmt/format.h>

#include "bounces_module.hpp"
#include "context.hpp"
#include "input_file.hpp"
#include "mailer/base/error.hpp"
#include "mailer/base/shared_library.hpp"
#include "mailer/bounces/parser.hpp"
#include "module_path.hpp"
#include "output.hpp"

namespace mailer::cli {

const SharedLibrary& bounces_module() {
  static const SharedLibrary module(module_path(MAILER_BOUNCES_MODULE).c_str(), "mailer");
  return module;
}

// The parser lives in its own module (mailer/bounces/parser.hpp), loaded once per process.
const bounces::Parser& bounces_parser() {
  static const std::unique_ptr<bounces::Parser> made = [] {
    bounces::MakeParser make = nullptr;
    bounces_module().resolve(bounces::kMakeParserSymbol, make);
    return std::unique_ptr<bounces::Parser>(make());
  }();
  return *made;
}

void register_bounces_mailbox(CLI::App& bounces, Context& ctx);

namespace {

std::string read_all(const std::string& path) {
  InputFile input(path);
  std::string bytes;
  char buffer[65536];
  while (std::size_t n = input.read(buffer, sizeof buffer)) bytes.append(buffer, n);
  return bytes;
}

std::string why_not(const bounces::Report& report) {
  if (report.kind == bounces::Kind::auto_reply) return report.why.empty() ? "an auto-reply" : report.why;
  return report.why.empty() ? "no failed recipient" : report.why;
}

void parse_command(Context& ctx, const std::string& path) {
  const std::string bytes = read_all(path);
  const std::string name = path == "-" ? "stdin" : path;
  if (bytes.empty()) throw Error(Errc::data, fmt::format("{} is empty", name), "give one email message");
  const bounces::Report report = bounces_parser().parse(bytes);
  if (report.why == "no message headers")
    throw Error(Errc::data, fmt::format("{} is not an email message", name),
                "give one message as RFC 5322 text");
  const bool listed = report.kind == bounces::Kind::bounce || report.kind == bounces::Kind::delayed ||
                      report.kind == bounces::Kind::complaint;
  if (ctx.options.json) {
    nlohmann::json out = nlohmann::json::array();
    if (listed)
      for (const bounces::Failure& f : report.failures)
        out.push_back({{"recipient", f.recipient},
                       {"status", f.status},
                       {"reason", bounces::reason_name(f.reason)},
                       {"severity", bounces::severity_name(f.severity)},
                       {"diagnostic", f.diagnostic}});
    ctx.print_json(out);
    return;
  }
  if (!listed || report.failures.empty()) {
    ctx.out += fmt::format("not a bounce: {}\n", why_not(report));
    return;
  }
  Table table({"RECIPIENT", "STATUS", "REASON", "SEVERITY", "DIAGNOSTIC"});
  for (const bounces::Failure& f : report.failures)
    table.add({f.recipient, f.status, bounces::reason_name(f.reason), bounces::severity_name(f.severity),
               f.diagnostic});
  ctx.out += table.render();
  if (report.kind == bounces::Kind::delayed) ctx.note("a delay warning: delivery is still being tried");
  if (report.kind == bounces::Kind::complaint) ctx.note("a feedback report (complaint), not a bounce");
}

}  // namespace

void register_bounces(CLI::App& app, Context& ctx) {
  auto* bounces = app.add_subcommand("bounces", "Read delivery failure reports (bounces)");
  bounces->require_subcommand(1);
  auto* parse = bounces->add_subcommand(
      "parse", "Print what one report says: recipient, status, reason, hard or soft (needs no session)");
  auto file = std::make_shared<std::string>();
  parse->add_option("FILE", *file, "The message (RFC 5322), or - for standard input")->required();
  parse->callback([&ctx, file] { parse_command(ctx, *file); });
  register_bounces_mailbox(*bounces, ctx);
}

}  // namespace mailer::cli
