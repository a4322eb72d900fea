// mailer message ...: the subject and bodies that mailings send (SPEC §2).
#include <memory>

#include <fmt/format.h>

#include "context.hpp"
#include "mailer/error.hpp"
#include "output.hpp"

namespace mailer::cli {
namespace {

struct MessageOptions {
  std::optional<std::string> subject, body, body_file, html_file;
  bool no_html = false;
  bool all = false;
  Id id = 0;
  std::vector<Id> ids;
};

void print_message(Context& ctx, const Message& m) {
  if (ctx.options.json) {
    ctx.print_json(to_json(m));
    return;
  }
  ctx.out += render_fields({{"id", std::to_string(m.id)},
                            {"owner", m.owner_email},
                            {"subject", m.subject},
                            {"html", m.body_html ? fmt::format("{} bytes", m.body_html->size()) : "no"},
                            {"created_at", format_local(m.created_at)}});
  ctx.out += "\n" + m.body_text + (m.body_text.ends_with('\n') ? "" : "\n");
}

// --body TEXT or --body-file F (one of them), and --html-file F.
std::optional<std::string> body_from(const MessageOptions& o) {
  if (o.body && o.body_file) throw Error(Errc::usage, "--body and --body-file exclude each other");
  if (o.body) return o.body;
  if (o.body_file) return read_file(*o.body_file);
  return std::nullopt;
}

void add_body_options(CLI::App* cmd, MessageOptions& o) {
  cmd->add_option("--subject", o.subject, "Subject template, e.g. \"{{name}}, скидка 20%\"");
  cmd->add_option("--body", o.body, "Plain-text body template");
  cmd->add_option("--body-file", o.body_file, "Read the plain-text body from a file (- for stdin)");
  cmd->add_option("--html-file", o.html_file, "Read an HTML body from a file; sent as multipart/alternative");
}

}  // namespace

void register_message(CLI::App& app, Context& ctx) {
  auto* message = app.add_subcommand("message", "Messages: subject and body templates ({{name}}, {{email}}, {{unsubscribe_url}})");
  message->require_subcommand(1);
  {
    auto o = std::make_shared<MessageOptions>();
    auto* cmd = message->add_subcommand("add", "Write a message");
    add_body_options(cmd, *o);
    cmd->callback([&ctx, o] {
      if (!o->subject) throw Error(Errc::usage, "--subject is required");
      auto body = body_from(*o);
      if (!body) throw Error(Errc::usage, "--body or --body-file is required");
      std::optional<std::string> html;
      if (o->html_file) html = read_file(*o->html_file);
      Message m = add_message(ctx.db(), ctx.actor(), *o->subject, *body, html, ctx.now());
      if (ctx.options.json) ctx.print_json(to_json(m));
      else ctx.note(fmt::format("added message {}", m.id));
    });
  }
  {
    auto o = std::make_shared<MessageOptions>();
    auto* cmd = message->add_subcommand("list", "List messages");
    cmd->add_flag("--all", o->all, "Everyone's messages, with their owner (manager)");
    cmd->callback([&ctx, o] {
      auto messages = list_messages(ctx.db(), ctx.actor(), Scope{o->all});
      if (ctx.options.json) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& m : messages) arr.push_back(to_json(m));
        ctx.print_json(arr);
        return;
      }
      std::vector<std::string> headers = {"ID", "SUBJECT", "HTML", "CREATED"};
      if (o->all) headers.push_back("OWNER");
      Table t(headers);
      for (const auto& m : messages) {
        std::vector<std::string> row = {std::to_string(m.id), ellipsize(m.subject, 50), m.body_html ? "yes" : "no",
                                        format_local(m.created_at)};
        if (o->all) row.push_back(m.owner_email);
        t.add(row);
      }
      ctx.out += t.render();
    });
  }
  {
    auto o = std::make_shared<MessageOptions>();
    auto* cmd = message->add_subcommand("show", "Show a message");
    cmd->add_option("ID", o->id, "The message's id")->required();
    cmd->callback([&ctx, o] { print_message(ctx, show_message(ctx.db(), ctx.actor(), o->id)); });
  }
  {
    auto o = std::make_shared<MessageOptions>();
    auto* cmd = message->add_subcommand("edit", "Change a message");
    cmd->add_option("ID", o->id, "The message's id")->required();
    add_body_options(cmd, *o);
    cmd->add_flag("--no-html", o->no_html, "Drop the HTML body");
    cmd->callback([&ctx, o] {
      MessageChanges changes;
      changes.subject = o->subject;
      changes.body_text = body_from(*o);
      if (o->html_file && o->no_html) throw Error(Errc::usage, "--html-file and --no-html exclude each other");
      if (o->html_file) changes.body_html = read_file(*o->html_file);
      changes.drop_html = o->no_html;
      if (!changes.subject && !changes.body_text && !changes.body_html && !changes.drop_html)
        throw Error(Errc::usage, "nothing to change", "give --subject, --body, --body-file, --html-file or --no-html");
      Message m = edit_message(ctx.db(), ctx.actor(), o->id, changes);
      if (ctx.options.json) ctx.print_json(to_json(m));
      else ctx.note(fmt::format("updated message {}", m.id));
    });
  }
  {
    auto o = std::make_shared<MessageOptions>();
    auto* cmd = message->add_subcommand("rm", "Remove messages (all or none; not while a mailing uses one)");
    cmd->add_option("ID", o->ids, "Message ids")->required();
    cmd->callback([&ctx, o] {
      remove_messages(ctx.db(), ctx.actor(), o->ids);
      ctx.note(fmt::format("removed {} message(s)", o->ids.size()));
    });
  }
}

}  // namespace mailer::cli
