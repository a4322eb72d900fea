// mailer user ..., login, logout, whoami: accounts, sessions and roles (SPEC §2, §4).
#include <memory>

#include <fmt/format.h>

#include "context.hpp"
#include "mailer/base/error.hpp"
#include "mailer/core/session_file.hpp"
#include "mailer/mail/notice_sender.hpp"
#include "output.hpp"

namespace mailer::cli {
namespace {

struct UserOptions {
  std::string email;
  std::string name;
  std::string code;
  std::string role;
  bool password_stdin = false;
};

void print_user(Context& ctx, const User& u) {
  if (ctx.options.json) {
    ctx.print_json(to_json(u));
    return;
  }
  ctx.out += render_fields({{"id", std::to_string(u.id)},
                            {"email", u.email},
                            {"name", u.name},
                            {"roles", format_roles(u.roles)},
                            {"verified", u.verified ? "yes" : "no"},
                            {"active", u.active ? "yes" : "blocked"},
                            {"created_at", format_local(u.created_at)}});
}

CLI::App* email_command(CLI::App* parent, const char* name, const char* help,
                        std::shared_ptr<UserOptions> o) {
  auto* cmd = parent->add_subcommand(name, help);
  cmd->add_option("EMAIL", o->email, "The account's email address")->required();
  return cmd;
}

}  // namespace

void register_user(CLI::App& app, Context& ctx) {
  auto* user =
      app.add_subcommand("user", "Accounts: register, verify, reset passwords; managers list and block");
  user->require_subcommand(1);

  {
    auto o = std::make_shared<UserOptions>();
    auto* cmd = email_command(user, "create-superuser",
                              "Create a verified superuser (whoever can write the database)", o);
    cmd->add_flag("--password-stdin", o->password_stdin, "Read the password from standard input");
    cmd->callback([&ctx, o] {
      std::string password = read_password(o->password_stdin, true);
      User u = create_superuser(ctx.db(), o->email, password, ctx.now());
      if (ctx.options.json)
        ctx.print_json(to_json(u));
      else
        ctx.note(fmt::format("created superuser {} (log in with `mailer login {}`)", u.email, u.email));
    });
  }
  {
    auto o = std::make_shared<UserOptions>();
    auto* cmd =
        email_command(user, "register", "Register an account; a verification code is emailed to it", o);
    cmd->add_option("--name", o->name, "Your name");
    cmd->add_flag("--password-stdin", o->password_stdin, "Read the password from standard input");
    cmd->callback([&ctx, o] {
      std::string password = read_password(o->password_stdin, true);
      Registration r = mailer::register_user(ctx.db(), smtp_notifier(ctx.config(), ctx.now()), o->email,
                                             o->name, password, ctx.now());
      const User& u = r.user;
      if (ctx.options.json)
        ctx.print_json(to_json(u));
      else if (r.already_pending)
        ctx.note(
            fmt::format("{} has a registration waiting for verification since {}: it keeps the name and "
                        "password given then; a new code was sent to it (run `mailer user verify {} CODE`)",
                        u.email, format_local(u.created_at), u.email));
      else
        ctx.note(fmt::format(
            "registered {}; a verification code was sent to it (run `mailer user verify {} CODE`)", u.email,
            u.email));
    });
  }
  {
    auto o = std::make_shared<UserOptions>();
    auto* cmd = email_command(user, "verify", "Verify an account with the emailed code", o);
    cmd->add_option("CODE", o->code, "The code from the verification email")->required();
    cmd->callback([&ctx, o] {
      verify_user(ctx.db(), o->email, o->code, ctx.now());
      ctx.note(fmt::format("verified {}; log in with `mailer login {}`", o->email, o->email));
    });
  }
  {
    auto o = std::make_shared<UserOptions>();
    auto* cmd =
        email_command(user, "reset-password", "Email a reset code, or with --code set a new password", o);
    cmd->add_option("--code", o->code, "The code from the reset email");
    cmd->add_flag("--password-stdin", o->password_stdin, "Read the new password from standard input");
    cmd->callback([&ctx, o] {
      if (o->code.empty()) {
        if (o->password_stdin)
          throw Error(Errc::usage, "--password-stdin needs --code", "first run without --code to get one");
        request_password_reset(ctx.db(), smtp_notifier(ctx.config(), ctx.now()), o->email, ctx.now());
        ctx.note(fmt::format("if {} has an account, a reset code was sent to it", o->email));
        return;
      }
      std::string password = read_password(o->password_stdin, true);
      reset_password(ctx.db(), o->email, o->code, password, ctx.now());
      ctx.note("password changed; all sessions of the account were ended");
    });
  }
  {
    auto* cmd = user->add_subcommand("list", "List all users (manager)");
    cmd->callback([&ctx] {
      auto users = list_users(ctx.db(), ctx.actor());
      if (ctx.options.json) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& u : users) arr.push_back(to_json(u));
        ctx.print_json(arr);
        return;
      }
      Table t({"ID", "EMAIL", "NAME", "ROLES", "VERIFIED", "ACTIVE", "CREATED"});
      for (const auto& u : users)
        t.add({std::to_string(u.id), u.email, u.name, format_roles(u.roles), u.verified ? "yes" : "no",
               u.active ? "yes" : "blocked", format_local(u.created_at)});
      ctx.out += t.render();
    });
  }
  {
    auto o = std::make_shared<UserOptions>();
    auto* cmd = email_command(user, "show", "Show one user (manager)", o);
    cmd->callback([&ctx, o] { print_user(ctx, show_user(ctx.db(), ctx.actor(), o->email)); });
  }
  for (bool active : {false, true}) {
    auto o = std::make_shared<UserOptions>();
    auto* cmd = email_command(user, active ? "unblock" : "block",
                              active ? "Let a blocked user log in again (manager)"
                                     : "Block a user and end their sessions (manager)",
                              o);
    cmd->callback([&ctx, o, active] {
      User u = set_user_active(ctx.db(), ctx.actor(), o->email, active);
      if (ctx.options.json)
        ctx.print_json(to_json(u));
      else
        ctx.note(fmt::format("{} {}", active ? "unblocked" : "blocked", u.email));
    });
  }
  for (bool grant : {true, false}) {
    auto o = std::make_shared<UserOptions>();
    auto* cmd =
        email_command(user, grant ? "grant" : "revoke",
                      grant ? "Give a user a role (superuser)" : "Take a role from a user (superuser)", o);
    cmd->add_option("ROLE", o->role, "manager, content-manager or superuser")
        ->required()
        ->check(CLI::IsMember({"manager", "content-manager", "superuser"}));
    cmd->callback([&ctx, o, grant] {
      User u = change_role(ctx.db(), ctx.actor(), o->email, *parse_role(o->role), grant);
      if (ctx.options.json)
        ctx.print_json(to_json(u));
      else
        ctx.note(fmt::format("{}: roles now {}", u.email, format_roles(u.roles)));
    });
  }

  {
    auto o = std::make_shared<UserOptions>();
    auto* cmd = app.add_subcommand("login", "Log in and keep a session for this database");
    cmd->add_option("EMAIL", o->email, "The account's email address")->required();
    cmd->add_flag("--password-stdin", o->password_stdin, "Read the password from standard input");
    cmd->callback([&ctx, o] {
      std::string password = read_password(o->password_stdin, false);
      std::string token =
          login(ctx.db(), o->email, password, ctx.wall_clock(), ctx.config().session_max_age_days);
      save_session_token(ctx.config().db_path, token, ctx.env);
      // The address as the account has it (case, IDN form), not as typed.
      auto u = session_user(ctx.db(), token, ctx.wall_clock(), ctx.config().session_max_age_days);
      ctx.note(fmt::format("logged in as {}", u ? u->email : o->email));
    });
  }
  {
    auto* cmd = app.add_subcommand("logout", "End this database's session");
    cmd->callback([&ctx] {
      std::optional<User> ended;
      if (auto token = load_session_token(ctx.config().db_path, ctx.env)) ended = logout(ctx.db(), *token);
      remove_session_token(ctx.config().db_path, ctx.env);
      if (ctx.options.json)
        ctx.print_json({{"logged_out", ended.has_value()},
                        {"email", ended ? nlohmann::json(ended->email) : nlohmann::json()}});
      else
        ctx.note(ended ? fmt::format("logged out {}", ended->email) : std::string("no session to end"));
    });
  }
  {
    auto* cmd = app.add_subcommand("whoami", "Show who is logged in");
    cmd->callback([&ctx] {
      const User& u = ctx.user();
      if (ctx.options.json)
        ctx.print_json(to_json(u));
      else
        ctx.out += fmt::format("{} ({})\n", u.email, format_roles(u.roles));
    });
  }
}

}  // namespace mailer::cli
