// mailer message ...: the subject and bodies that mailings send (SPEC §2).
#include <algorithm>
#include <memory>

#include <fmt/format.h>

#include "context.hpp"
#include "mailer/base/error.hpp"
#include "mailer/core/clients.hpp"
#include "mailer/core/messages.hpp"
#include "mailer/core/tracking.hpp"
#include "mailer/mail/compose.hpp"
#include "mailer/mail/tracking_links.hpp"
#include "output.hpp"

namespace mailer::cli {
namespace {

struct MessageOptions {
  std::optional<std::string> subject, body, body_file, html_file;
  bool no_html = false;
  bool all = false;
  Id id = 0;
  std::vector<Id> ids;
  // show --render
  bool render = false;
  std::optional<Id> client;
  std::optional<std::string> part;  // text | html
};

// Who a preview is for without --client: a name and address that show what encoding does.
const mail::Recipient kSampleRecipient{"ivan.petrov@example.com", "Иван Петров"};

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

// The copy a recipient would get now: From and tracking from the config, Date now, a fresh
// Message-ID. The token of the unsubscribe link, pixel and click links is a placeholder (a
// real one names a run), which `serve` refuses.
void render_message(Context& ctx, const Message& m, const MessageOptions& o) {
  if (o.part && ctx.options.json) throw Error(Errc::usage, "--part and --json exclude each other");
  if (o.part == "html" && !m.body_html)
    throw Error(Errc::not_found, fmt::format("message {} has no HTML body", m.id), "see --part text");
  mail::Recipient to = kSampleRecipient;
  if (o.client) {
    Client c = show_client(ctx.db(), ctx.actor(), *o.client);
    to = mail::Recipient{c.email, c.name};
    if (c.unsubscribed_at)
      ctx.note(fmt::format("client {} has unsubscribed: no mailing sends to them", c.id));
  } else {
    ctx.note(fmt::format("rendered for a sample recipient, {} <{}> (--client ID renders it for one of yours)",
                         to.name, to.email));
  }
  const Config& config = ctx.config();
  mail::ComposeContext context;
  context.from = config.smtp.from;
  context.date = ctx.now();
  context.message_id = mail::make_message_id(config.smtp.from);
  std::optional<mail::TrackingLinks> tracking;
  if (!config.tracking_base_url.empty()) {
    tracking = mail::tracking_links(config, tracking_key(ctx.db()));
    context.tracking_token = "PREVIEW";
    context.unsubscribe_url = unsubscribe_url(config.tracking_base_url, context.tracking_token);
    if (tracking) context.tracking = &*tracking;
  }
  mail::Composer composer(mail::MessageTemplate{m.subject, m.body_text, m.body_html});
  mail::RenderedCopy copy = composer.render(to, context);
  if (ctx.options.json) {
    ctx.print_json({{"subject", copy.subject},
                    {"text", copy.text},
                    {"html", copy.html ? nlohmann::json(*copy.html) : nlohmann::json()},
                    {"mime", copy.mime},
                    {"to",
                     {{"email", to.email},
                      {"name", to.name},
                      {"client", o.client ? nlohmann::json(*o.client) : nlohmann::json()}}}});
    return;
  }
  const std::string& shown = !o.part ? copy.mime : *o.part == "html" ? *copy.html : copy.text;
  ctx.out += shown;
  if (o.part && !shown.ends_with('\n')) ctx.out += '\n';
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
  auto* message = app.add_subcommand(
      "message", "Messages: subject and body templates ({{name}}, {{email}}, {{unsubscribe_url}})");
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
      Message m = add_message(ctx.db(), ctx.actor(), *o->subject, *body, html, ctx.now(),
                              !ctx.config().tracking_base_url.empty());
      if (ctx.options.json)
        ctx.print_json(to_json(m));
      else
        ctx.note(fmt::format("added message {}", m.id));
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
        std::vector<std::string> row = {std::to_string(m.id), ellipsize(m.subject, 50),
                                        m.body_html ? "yes" : "no", format_local(m.created_at)};
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
    cmd->add_flag("--render", o->render,
                  "Print the MIME message a recipient gets (From and tracking from the config)");
    cmd->add_option("--client", o->client,
                    "Render it for this client (implies --render; default: a sample recipient)");
    cmd->add_option("--part", o->part, "Print only the rendered text or HTML body (implies --render)")
        ->check(CLI::IsMember({"text", "html"}));
    cmd->callback([&ctx, o] {
      Message m = show_message(ctx.db(), ctx.actor(), o->id);
      if (o->render || o->client || o->part) {
        render_message(ctx, m, *o);
      } else {
        print_message(ctx, m);
      }
    });
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
      if (o->html_file && o->no_html)
        throw Error(Errc::usage, "--html-file and --no-html exclude each other");
      if (o->html_file) changes.body_html = read_file(*o->html_file);
      changes.drop_html = o->no_html;
      if (!changes.subject && !changes.body_text && !changes.body_html && !changes.drop_html)
        throw Error(Errc::usage, "nothing to change",
                    "give --subject, --body, --body-file, --html-file or --no-html");
      Message m =
          edit_message(ctx.db(), ctx.actor(), o->id, changes, !ctx.config().tracking_base_url.empty());
      if (ctx.options.json)
        ctx.print_json(to_json(m));
      else
        ctx.note(fmt::format("updated message {}", m.id));
    });
  }
  {
    auto o = std::make_shared<MessageOptions>();
    auto* cmd = message->add_subcommand("rm", "Remove messages (all or none; not while a mailing uses one)");
    cmd->add_option("ID", o->ids, "Message ids")->required();
    cmd->callback([&ctx, o] {
      remove_messages(ctx.db(), ctx.actor(), o->ids);
      std::vector<Id> removed;
      for (Id id : o->ids)
        if (std::find(removed.begin(), removed.end(), id) == removed.end()) removed.push_back(id);
      if (ctx.options.json)
        ctx.print_json({{"removed", removed}});
      else
        ctx.note(fmt::format("removed {} message(s)", removed.size()));
    });
  }
}

}  // namespace mailer::cli
