#include "mailer/core/access.hpp"

#include <fmt/format.h>

#include "mailer/base/error.hpp"

namespace mailer {
namespace {

constexpr std::pair<Role, std::string_view> kRoleNames[] = {
    {Role::user, "user"},
    {Role::manager, "manager"},
    {Role::content_manager, "content-manager"},
    {Role::superuser, "superuser"},
};

}  // namespace

std::optional<Role> parse_role(std::string_view text) {
  for (auto [role, name] : kRoleNames)
    if (name == text) return role;
  return std::nullopt;
}

std::string_view to_string(Role role) {
  for (auto [r, name] : kRoleNames)
    if (r == role) return name;
  return "user";
}

unsigned parse_roles(std::string_view list) {
  unsigned roles = static_cast<unsigned>(Role::user);
  while (!list.empty()) {
    auto comma = list.find(',');
    auto item = list.substr(0, comma);
    if (auto role = parse_role(item)) roles |= static_cast<unsigned>(*role);
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
  }
  return roles;
}

std::string format_roles(unsigned roles) {
  std::string out;
  for (auto [role, name] : kRoleNames) {
    if (roles & static_cast<unsigned>(role)) {
      if (!out.empty()) out += ',';
      out += name;
    }
  }
  return out;
}

bool sees_all_records(const Actor& actor) { return actor.has(Role::manager) || actor.has(Role::superuser); }

void check_record(const Actor& actor, std::int64_t owner, RecordAction action, std::string_view what) {
  if (owner == actor.id || actor.has(Role::superuser)) return;
  if (!sees_all_records(actor)) throw Error(Errc::not_found, fmt::format("{} not found", what));
  if (action == RecordAction::change)
    throw Error(Errc::permission, fmt::format("permission denied: {} belongs to another user", what),
                "managers may read others' records but not change them");
}

void check_list_all(const Actor& actor, bool all) {
  if (all && !sees_all_records(actor))
    throw Error(Errc::permission, "permission denied: `all` needs the manager role");
}

void require_moderator(const Actor& actor, std::string_view what) {
  if (!sees_all_records(actor))
    throw Error(Errc::permission, fmt::format("permission denied: {} needs the manager role", what));
}

void require_superuser(const Actor& actor, std::string_view what) {
  if (!actor.has(Role::superuser))
    throw Error(Errc::permission, fmt::format("permission denied: {} needs the superuser role", what));
}

bool may_edit_any_post(const Actor& actor) {
  return actor.has(Role::manager) || actor.has(Role::content_manager) || actor.has(Role::superuser);
}

void check_post_change(const Actor& actor, std::int64_t author, std::string_view what) {
  if (author == actor.id || may_edit_any_post(actor)) return;
  throw Error(Errc::permission, fmt::format("permission denied: {} belongs to another author", what),
              "only its author, a manager or a content-manager may change it");
}

}  // namespace mailer
