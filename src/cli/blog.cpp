// mailer blog ...: the posts that promote the service (SPEC §1 post, §2 blog, §4). Reading
// published posts needs no session; writing needs one; publishing is for the editors.
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "blog_commands.hpp"
#include "context.hpp"
#include "mailer/base/error.hpp"
#include "mailer/core/posts.hpp"
#include "markdown_terminal.hpp"
#include "output.hpp"

namespace mailer::cli {
namespace {

struct BlogOptions {
  std::optional<std::string> title, body, body_file, image;
  bool no_image = false;
  bool all = false;
  bool raw = false;
  Id id = 0;
};

nlohmann::json post_json(const Post& p) {
  nlohmann::json image;
  if (p.image_type) image = {{"type", *p.image_type}, {"size", p.image_size}};
  return {{"id", p.id},
          {"author", {{"id", p.author}, {"email", p.author_email}, {"name", p.author_name}}},
          {"title", p.title},
          {"body", p.body},
          {"image", image},
          {"views", p.views},
          {"published", p.published},
          {"created_at", format_iso(p.created_at)},
          {"updated_at", format_iso(p.updated_at)}};
}

std::string author_of(const Post& p) { return p.author_name.empty() ? p.author_email : p.author_name; }

// --body TEXT or --body-file F (one of them).
std::optional<std::string> body_from(const BlogOptions& o) {
  if (o.body && o.body_file) throw Error(Errc::usage, "--body and --body-file exclude each other");
  if (o.body) return o.body;
  if (o.body_file) return read_file(*o.body_file);
  return std::nullopt;
}

void add_content_options(CLI::App* cmd, BlogOptions& o) {
  cmd->add_option("--title", o.title, "The post's title, e.g. \"Как мы отправили 10 000 писем\"");
  cmd->add_option("--body", o.body, "The post's body in Markdown (CommonMark)");
  cmd->add_option("--body-file", o.body_file, "Read the body from a Markdown file (- for stdin)");
  cmd->add_option("--image", o.image, "An image shown with the post: PNG, JPEG, GIF or WebP, up to 5 MiB");
}

void print_post(Context& ctx, const Post& p) {
  const bool styled = colour_on_stdout();
  std::string title = p.title;
  if (styled) title = "\x1b[1m" + title + "\x1b[0m";
  ctx.out += title + "\n";
  std::string byline = fmt::format("{} · {} · {} view{}", author_of(p), format_local(p.created_at), p.views,
                                   p.views == 1 ? "" : "s");
  if (!p.published) byline += " · unpublished";
  if (p.image_type) byline += fmt::format(" · image: {}, {} bytes", *p.image_type, p.image_size);
  ctx.out += (styled ? "\x1b[2m" + byline + "\x1b[0m" : byline) + "\n\n";
  ctx.out += render_markdown_for_terminal(p.body, terminal_columns(), styled);
}

void print_list(Context& ctx, const std::vector<Post>& posts, bool all) {
  if (ctx.options.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& p : posts) {
      nlohmann::json item = post_json(p);
      item.erase("body");
      arr.push_back(std::move(item));
    }
    ctx.print_json(arr);
    return;
  }
  std::vector<std::string> headers = {"ID", "TITLE", "AUTHOR", "DATE", "VIEWS"};
  if (all) headers.push_back("PUBLISHED");
  Table t(headers);
  for (const auto& p : posts) {
    std::vector<std::string> row = {std::to_string(p.id), ellipsize(p.title, 50), ellipsize(author_of(p), 30),
                                    format_local(p.created_at), std::to_string(p.views)};
    if (all) row.push_back(p.published ? "yes" : "no");
    t.add(row);
  }
  if (t.empty())
    ctx.note(all ? "no posts" : "no published posts");
  else
    ctx.out += t.render();
}

void add_publish(CLI::App* blog, Context& ctx, const char* name, bool published) {
  auto o = std::make_shared<BlogOptions>();
  auto* cmd = blog->add_subcommand(
      name, published ? "Publish a post: anyone can read it then (manager, content-manager)"
                      : "Take a post back from the blog (manager, content-manager)");
  cmd->add_option("ID", o->id, "The post's id")->required();
  cmd->callback([&ctx, o, published] {
    Post p = publish_post(ctx.db(), ctx.actor(), o->id, published, ctx.now());
    if (ctx.options.json)
      ctx.print_json(post_json(p));
    else
      ctx.note(fmt::format("{} post {}", published ? "published" : "unpublished", p.id));
  });
}

}  // namespace

void register_blog(CLI::App& app, Context& ctx) {
  auto* blog =
      app.add_subcommand("blog", "The blog: posts in Markdown, published by a manager or content-manager");
  blog->require_subcommand(1);
  {
    auto o = std::make_shared<BlogOptions>();
    auto* cmd = blog->add_subcommand("add", "Write a post (it appears once an editor publishes it)");
    add_content_options(cmd, *o);
    cmd->callback([&ctx, o] {
      if (!o->title) throw Error(Errc::usage, "--title is required");
      auto body = body_from(*o);
      if (!body) throw Error(Errc::usage, "--body or --body-file is required");
      std::optional<std::string> image;
      if (o->image) image = read_file(*o->image);
      Post p = add_post(ctx.db(), ctx.actor(), *o->title, *body, image, ctx.now());
      if (ctx.options.json) {
        ctx.print_json(post_json(p));
        return;
      }
      ctx.note(fmt::format("added post {}", p.id));
      if (!p.published)
        ctx.note(fmt::format(
            "it appears on the blog once a manager or a content-manager runs `mailer blog publish {}`",
            p.id));
    });
  }
  {
    auto o = std::make_shared<BlogOptions>();
    auto* cmd = blog->add_subcommand("list", "List the published posts, newest first (no session needed)");
    cmd->add_flag("--all", o->all,
                  "Unpublished posts too: your own, or everyone's for a manager or content-manager");
    cmd->callback([&ctx, o] {
      std::optional<Actor> reader = o->all ? std::optional<Actor>(ctx.actor()) : ctx.reader();
      print_list(ctx, list_posts(ctx.db(), reader, o->all), o->all);
    });
  }
  {
    auto o = std::make_shared<BlogOptions>();
    auto* cmd = blog->add_subcommand("show", "Show a post and count one view (no session needed)");
    cmd->add_option("ID", o->id, "The post's id")->required();
    cmd->add_flag("--raw", o->raw, "Print the body's Markdown as it was written");
    cmd->callback([&ctx, o] {
      Post p = show_post(ctx.db(), ctx.reader(), o->id, true);
      if (ctx.options.json)
        ctx.print_json(post_json(p));
      else if (o->raw)
        ctx.out += p.body.ends_with('\n') ? p.body : p.body + "\n";
      else
        print_post(ctx, p);
    });
  }
  {
    auto o = std::make_shared<BlogOptions>();
    auto* cmd = blog->add_subcommand("edit", "Change a post (an author's edit waits for publishing again)");
    cmd->add_option("ID", o->id, "The post's id")->required();
    add_content_options(cmd, *o);
    cmd->add_flag("--no-image", o->no_image, "Remove the post's image");
    cmd->callback([&ctx, o] {
      PostChanges changes;
      changes.title = o->title;
      changes.body = body_from(*o);
      if (o->image && o->no_image) throw Error(Errc::usage, "--image and --no-image exclude each other");
      if (o->image) changes.image = read_file(*o->image);
      changes.drop_image = o->no_image;
      if (!changes.title && !changes.body && !changes.image && !changes.drop_image)
        throw Error(Errc::usage, "nothing to change",
                    "give --title, --body, --body-file, --image or --no-image");
      PostEdit edit = edit_post(ctx.db(), ctx.actor(), o->id, changes, ctx.now());
      if (ctx.options.json) {
        nlohmann::json j = post_json(edit.post);
        j["unpublished_by_edit"] = edit.unpublished_by_edit;
        ctx.print_json(j);
        return;
      }
      ctx.note(fmt::format("updated post {}", edit.post.id));
      if (edit.unpublished_by_edit)
        ctx.note(fmt::format("post {} is unpublished until a manager or a content-manager publishes it again",
                             edit.post.id));
    });
  }
  {
    auto o = std::make_shared<BlogOptions>();
    auto* cmd = blog->add_subcommand("rm", "Remove a post (its author, or an editor)");
    cmd->add_option("ID", o->id, "The post's id")->required();
    cmd->callback([&ctx, o] {
      remove_post(ctx.db(), ctx.actor(), o->id);
      if (ctx.options.json)
        ctx.print_json({{"removed", o->id}});
      else
        ctx.note(fmt::format("removed post {}", o->id));
    });
  }
  add_publish(blog, ctx, "publish", true);
  add_publish(blog, ctx, "unpublish", false);
  add_blog_export(*blog, ctx);
}

}  // namespace mailer::cli
