// mailer client ...: recipients, one at a time or by CSV (SPEC §2).
#include <memory>

#include <fmt/format.h>

#include "context.hpp"
#include "mailer/error.hpp"
#include "output.hpp"

namespace mailer::cli {
namespace {

struct ClientOptions {
  std::string email;
  std::optional<std::string> new_email, name, comment, group, search, file;
  std::vector<std::string> groups;
  std::vector<Id> ids;
  Id id = 0;
  bool all = false;
  bool skip_invalid = false;
};

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
                            {"unsubscribed", c.unsubscribed_at ? format_local(*c.unsubscribed_at) : "no"},
                            {"created_at", format_local(c.created_at)}});
}

void print_clients(Context& ctx, const std::vector<Client>& clients, bool with_owner) {
  if (ctx.options.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& c : clients) arr.push_back(to_json(c));
    ctx.print_json(arr);
    return;
  }
  std::vector<std::string> headers = {"ID", "EMAIL", "NAME", "GROUPS", "COMMENT"};
  if (with_owner) headers.push_back("OWNER");
  Table t(headers);
  for (const auto& c : clients) {
    std::string groups;
    for (const auto& g : c.groups) groups += (groups.empty() ? "" : ",") + g;
    std::vector<std::string> row = {std::to_string(c.id), c.email + (c.unsubscribed_at ? " (unsubscribed)" : ""), c.name,
                                    groups, ellipsize(c.comment, 40)};
    if (with_owner) row.push_back(c.owner_email);
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
      Client c = add_client(ctx.db(), ctx.actor(), o->email, o->name.value_or(""), o->comment.value_or(""), o->groups,
                            ctx.now());
      if (ctx.options.json) ctx.print_json(to_json(c));
      else ctx.note(fmt::format("added client {} <{}>", c.id, c.email));
    });
  }
  {
    auto o = std::make_shared<ClientOptions>();
    auto* cmd = client->add_subcommand("list", "List recipients");
    cmd->add_option("--group", o->group, "Only the members of this group");
    cmd->add_option("--search", o->search, "Only those whose email, name or comment contains TEXT");
    cmd->add_flag("--all", o->all, "Everyone's recipients, with their owner (manager)");
    cmd->callback([&ctx, o] {
      ClientFilter f{o->group, o->search, o->all};
      print_clients(ctx, list_clients(ctx.db(), ctx.actor(), f), o->all);
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
    cmd->callback([&ctx, o] {
      if (!o->new_email && !o->name && !o->comment)
        throw Error(Errc::usage, "nothing to change", "give --email, --name or --comment");
      Client c = edit_client(ctx.db(), ctx.actor(), o->id, ClientChanges{o->new_email, o->name, o->comment});
      if (ctx.options.json) ctx.print_json(to_json(c));
      else ctx.note(fmt::format("updated client {}", c.id));
    });
  }
  {
    auto o = std::make_shared<ClientOptions>();
    auto* cmd = client->add_subcommand("rm", "Remove recipients (all or none)");
    cmd->add_option("ID", o->ids, "Client ids")->required();
    cmd->callback([&ctx, o] {
      remove_clients(ctx.db(), ctx.actor(), o->ids);
      ctx.note(fmt::format("removed {} client(s)", o->ids.size()));
    });
  }
  {
    auto o = std::make_shared<ClientOptions>();
    auto* cmd = client->add_subcommand(
        "import", "Import a CSV with the header email,name,comment (UTF-8, ',' or ';'); a bad row imports nothing");
    cmd->add_option("FILE", o->file, "The CSV file, or - for standard input")->required();
    cmd->add_option("--group", o->group, "Add every imported client to this group (created when missing)");
    cmd->add_flag("--skip-invalid", o->skip_invalid, "Import the valid rows and report the bad ones");
    cmd->callback([&ctx, o] {
      std::string text = read_file(*o->file);
      std::string source = *o->file == "-" ? "stdin" : *o->file;
      ImportSummary s = import_clients(ctx.db(), ctx.actor(), text, source, o->group, o->skip_invalid, ctx.now());
      for (const auto& p : s.problems) ctx.note(fmt::format("mailer: {}: skipped {}", source, p));
      if (ctx.options.json) {
        ctx.print_json({{"rows", s.rows},
                        {"added", s.added},
                        {"updated", s.updated},
                        {"skipped", s.skipped},
                        {"invalid", s.invalid}});
      } else {
        ctx.out += fmt::format("imported {} row(s): {} added, {} updated, {} skipped{}\n", s.rows, s.added, s.updated,
                               s.skipped, s.invalid ? fmt::format(", {} invalid", s.invalid) : "");
      }
    });
  }
  {
    auto o = std::make_shared<ClientOptions>();
    auto* cmd = client->add_subcommand("export", "Write your recipients as CSV to standard output");
    cmd->add_option("--group", o->group, "Only the members of this group");
    cmd->callback([&ctx, o] { ctx.out += export_clients(ctx.db(), ctx.actor(), o->group); });
  }
}

}  // namespace mailer::cli
