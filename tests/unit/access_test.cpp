// SPEC §4: one test per cell of the access matrix.
#include <doctest/doctest.h>

#include "mailer/base/error.hpp"
#include "mailer/core/access.hpp"

#include <functional>

using namespace mailer;

namespace {

constexpr std::int64_t kMe = 1;
constexpr std::int64_t kOther = 2;

Actor as(Role role) {
  unsigned roles = static_cast<unsigned>(Role::user) | static_cast<unsigned>(role);
  return Actor{kMe, roles};
}

Errc code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return Errc::ok;
}

}  // namespace

TEST_CASE("access: every role may create, read, change and send its own records (SPEC §4)") {
  for (Role r : {Role::user, Role::manager, Role::content_manager, Role::superuser}) {
    CAPTURE(to_string(r));
    CHECK(code_of([&] { check_record(as(r), kMe, RecordAction::read, "client 1"); }) == Errc::ok);
    CHECK(code_of([&] { check_record(as(r), kMe, RecordAction::change, "client 1"); }) == Errc::ok);
  }
}

TEST_CASE("access: reading others' records is for managers and superusers - others get not found (SPEC §4)") {
  CHECK(code_of([] { check_record(as(Role::user), kOther, RecordAction::read, "client 9"); }) ==
        Errc::not_found);
  CHECK(code_of([] { check_record(as(Role::content_manager), kOther, RecordAction::read, "client 9"); }) ==
        Errc::not_found);
  CHECK(code_of([] { check_record(as(Role::manager), kOther, RecordAction::read, "client 9"); }) == Errc::ok);
  CHECK(code_of([] { check_record(as(Role::superuser), kOther, RecordAction::read, "client 9"); }) ==
        Errc::ok);
}

TEST_CASE(
    "access: changing others' records is for superusers - a manager is denied, a user never sees it (SPEC "
    "§4)") {
  CHECK(code_of([] { check_record(as(Role::user), kOther, RecordAction::change, "mailing 3"); }) ==
        Errc::not_found);
  CHECK(code_of([] { check_record(as(Role::content_manager), kOther, RecordAction::change, "mailing 3"); }) ==
        Errc::not_found);
  CHECK(code_of([] { check_record(as(Role::manager), kOther, RecordAction::change, "mailing 3"); }) ==
        Errc::permission);
  CHECK(code_of([] { check_record(as(Role::superuser), kOther, RecordAction::change, "mailing 3"); }) ==
        Errc::ok);
}

TEST_CASE("access: a plain user's not-found message does not reveal the record (SPEC §4)") {
  try {
    check_record(as(Role::user), kOther, RecordAction::read, "client 9");
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) == "client 9 not found");
  }
}

TEST_CASE(
    "access: disabling mailings and listing or blocking users is for managers and superusers (SPEC §4)") {
  CHECK(code_of([] { require_moderator(as(Role::user), "user list"); }) == Errc::permission);
  CHECK(code_of([] { require_moderator(as(Role::content_manager), "user list"); }) == Errc::permission);
  CHECK(code_of([] { require_moderator(as(Role::manager), "user list"); }) == Errc::ok);
  CHECK(code_of([] { require_moderator(as(Role::superuser), "user list"); }) == Errc::ok);
}

TEST_CASE("access: --all listings are for managers and superusers (SPEC §2)") {
  CHECK_FALSE(sees_all_records(as(Role::user)));
  CHECK_FALSE(sees_all_records(as(Role::content_manager)));
  CHECK(sees_all_records(as(Role::manager)));
  CHECK(sees_all_records(as(Role::superuser)));
}

TEST_CASE(
    "access: every role writes its own posts - publishing and editing any post is for managers, "
    "content-managers, superusers (SPEC §4)") {
  for (Role r : {Role::user, Role::manager, Role::content_manager, Role::superuser})
    CHECK(code_of([&] { check_post_change(as(r), kMe, "post 1"); }) == Errc::ok);
  CHECK(code_of([] { check_post_change(as(Role::user), kOther, "post 2"); }) == Errc::permission);
  CHECK(code_of([] { check_post_change(as(Role::manager), kOther, "post 2"); }) == Errc::ok);
  CHECK(code_of([] { check_post_change(as(Role::content_manager), kOther, "post 2"); }) == Errc::ok);
  CHECK(code_of([] { check_post_change(as(Role::superuser), kOther, "post 2"); }) == Errc::ok);
  CHECK_FALSE(may_edit_any_post(as(Role::user)));
}

TEST_CASE("access: granting and revoking roles is for superusers only (SPEC §4)") {
  CHECK(code_of([] { require_superuser(as(Role::user), "user grant"); }) == Errc::permission);
  CHECK(code_of([] { require_superuser(as(Role::content_manager), "user grant"); }) == Errc::permission);
  CHECK(code_of([] { require_superuser(as(Role::manager), "user grant"); }) == Errc::permission);
  CHECK(code_of([] { require_superuser(as(Role::superuser), "user grant"); }) == Errc::ok);
}

TEST_CASE("access: roles round-trip through their stored form") {
  unsigned roles = parse_roles("user,manager,content-manager");
  CHECK(format_roles(roles) == "user,manager,content-manager");
  CHECK(parse_roles("") == static_cast<unsigned>(Role::user));
  CHECK(parse_role("superuser") == Role::superuser);
  CHECK_FALSE(parse_role("admin"));
}
