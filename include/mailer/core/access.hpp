#pragma once
// The SPEC §4 access matrix: the only place that decides who may do what.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mailer {

enum class Role : unsigned { user = 1, manager = 2, content_manager = 4, superuser = 8 };

// "user" | "manager" | "content-manager" | "superuser".
std::optional<Role> parse_role(std::string_view text);
std::string_view to_string(Role role);
// Roles are stored as a comma-separated list; every user has `user`.
unsigned parse_roles(std::string_view list);
std::string format_roles(unsigned roles);

// Who is acting.
struct Actor {
  std::int64_t id = 0;
  unsigned roles = static_cast<unsigned>(Role::user);
  bool has(Role role) const { return (roles & static_cast<unsigned>(role)) != 0; }
};

// What is done to a client, group, message, mailing or report.
enum class RecordAction { read, change };  // change: edit, delete, send

// Throws Error{not_found} when the actor may not even see another's record (so it never
// learns that it exists), Error{permission} when it may see but not change it.
// `what` names the record in the message, e.g. "client 12".
void check_record(const Actor& actor, std::int64_t owner, RecordAction action, std::string_view what);

// True when the actor may read everyone's records (manager, superuser): `list --all`.
bool sees_all_records(const Actor& actor);

// `list --all` (everyone's records or attempts) is for managers and superusers: Error{permission}.
void check_list_all(const Actor& actor, bool all);

// Disable/enable any mailing; list, show, block, unblock users (manager, superuser).
void require_moderator(const Actor& actor, std::string_view what);

// Grant and revoke roles (superuser).
void require_superuser(const Actor& actor, std::string_view what);

// Publish, unpublish, edit any post (manager, content-manager, superuser).
bool may_edit_any_post(const Actor& actor);
void check_post_change(const Actor& actor, std::int64_t author, std::string_view what);

}  // namespace mailer
