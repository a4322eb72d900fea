// mailer group ...: named sets of recipients (SPEC §2).
#include <memory>

#include <fmt/format.h>

#include "context.hpp"
#include "mailer/core/groups.hpp"
#include "output.hpp"

namespace mailer::cli {
namespace {

struct GroupOptions {
  std::string name;
  std::vector<Id> clients;
  std::optional<std::string> owner;
  bool all = false;
};

constexpr const char* kOwnerHelp =
    "The group of this user (by email): a manager may read another's groups, a superuser change them";

}  // namespace

void register_group(CLI::App& app, Context& ctx) {
  auto* group = app.add_subcommand("group", "Groups of recipients");
  group->require_subcommand(1);
  {
    auto o = std::make_shared<GroupOptions>();
    auto* cmd = group->add_subcommand("add", "Create a group");
    cmd->add_option("NAME", o->name, "The group's name")->required();
    cmd->callback([&ctx, o] {
      Group g = add_group(ctx.db(), ctx.actor(), o->name, ctx.now());
      if (ctx.options.json)
        ctx.print_json(to_json(g));
      else
        ctx.note(fmt::format("created group '{}'", g.name));
    });
  }
  {
    auto o = std::make_shared<GroupOptions>();
    auto* cmd = group->add_subcommand("list", "List groups with their member counts");
    cmd->add_flag("--all", o->all, "Everyone's groups, with their owner (manager)");
    cmd->callback([&ctx, o] {
      auto groups = list_groups(ctx.db(), ctx.actor(), Scope{o->all});
      if (ctx.options.json) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& g : groups) arr.push_back(to_json(g));
        ctx.print_json(arr);
        return;
      }
      std::vector<std::string> headers = {"ID", "NAME", "MEMBERS"};
      if (o->all) headers.push_back("OWNER");
      Table t(headers);
      for (const auto& g : groups) {
        std::vector<std::string> row = {std::to_string(g.id), g.name, std::to_string(g.members)};
        if (o->all) row.push_back(g.owner_email);
        t.add(row);
      }
      ctx.out += t.render();
    });
  }
  {
    auto o = std::make_shared<GroupOptions>();
    auto* cmd =
        group->add_subcommand("rm", "Remove a group (its clients stay); refused while a mailing uses it");
    cmd->add_option("NAME", o->name, "The group's name")->required();
    cmd->add_option("--owner", o->owner, kOwnerHelp);
    cmd->callback([&ctx, o] {
      const std::string removed = remove_group(ctx.db(), ctx.actor(), o->name, o->owner);
      if (ctx.options.json)
        ctx.print_json({{"removed", nlohmann::json::array({removed})}});
      else
        ctx.note(fmt::format("removed group '{}'", removed));
    });
  }
  {
    auto o = std::make_shared<GroupOptions>();
    auto* cmd = group->add_subcommand("members", "List a group's clients");
    cmd->add_option("NAME", o->name, "The group's name")->required();
    cmd->add_option("--owner", o->owner, kOwnerHelp);
    cmd->callback([&ctx, o] {
      auto clients = group_members(ctx.db(), ctx.actor(), o->name, o->owner);
      if (ctx.options.json) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& c : clients) arr.push_back(to_json(c));
        ctx.print_json(arr);
        return;
      }
      Table t({"ID", "EMAIL", "NAME"});
      for (const auto& c : clients) t.add({std::to_string(c.id), c.email, c.name});
      ctx.out += t.render();
    });
  }
  for (bool add : {true, false}) {
    auto o = std::make_shared<GroupOptions>();
    auto* cmd = group->add_subcommand(add ? "add-member" : "remove-member",
                                      add ? "Put clients into a group" : "Take clients out of a group");
    cmd->add_option("NAME", o->name, "The group's name")->required();
    cmd->add_option("CLIENT_ID", o->clients, "Client ids")->required();
    cmd->add_option("--owner", o->owner, kOwnerHelp);
    cmd->callback([&ctx, o, add] {
      std::size_t n = add ? add_group_members(ctx.db(), ctx.actor(), o->name, o->clients, o->owner)
                          : remove_group_members(ctx.db(), ctx.actor(), o->name, o->clients, o->owner);
      if (ctx.options.json)
        ctx.print_json({{"group", o->name}, {"changed", n}});
      else
        ctx.note(fmt::format("{} {} client(s) {} '{}'", add ? "added" : "removed", n, add ? "to" : "from",
                             o->name));
    });
  }
}

}  // namespace mailer::cli
