// mailer send ID | --due [--dry-run]: delivery now, or what cron runs every minute (SPEC §3).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "clock.hpp"
#include "context.hpp"
#include "mailer/base/error.hpp"
#include "mailer/base/time.hpp"
#include "mailer/core/url.hpp"
#include "mailer/mail/dispatch.hpp"
#include "next_steps.hpp"
#include "output.hpp"

namespace mailer::cli {
namespace {

struct SendOptions {
  std::optional<Id> mailing;
  std::optional<std::string> to;
  bool due = false;
  bool dry_run = false;
  bool retry_failed = false;
  bool quiet_idle = false;
};

// A one-line progress bar on stderr, redrawn at most ten times a second.
class ProgressBar {
 public:
  void operator()(std::size_t done, std::size_t total) {
    auto now = std::chrono::steady_clock::now();
    if (done < total && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    double elapsed = std::chrono::duration<double>(now - start_).count();
    double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
    double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0;
    constexpr int kWidth = 30;
    int filled = total ? static_cast<int>(kWidth * done / total) : kWidth;
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.append(static_cast<std::size_t>(kWidth - filled), '.');
    std::cerr << fmt::format("\r[{}] {}/{} {:.0f} msgs/s ETA {}:{:02}  ", bar, done, total, rate,
                             static_cast<int>(eta) / 60, static_cast<int>(eta) % 60)
              << std::flush;
    drawn_ = true;
  }
  ~ProgressBar() {
    if (drawn_) std::cerr << "\r" << std::string(70, ' ') << "\r" << std::flush;
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_{};
  bool drawn_ = false;
};

}  // namespace

void register_send(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<SendOptions>();
  auto* cmd = app.add_subcommand(
      "send", "Send one mailing now, or (--due) every due run: what cron runs each minute");
  auto* id = cmd->add_option("ID", o->mailing, "The mailing to send now");
  auto* due =
      cmd->add_flag("--due", o->due, "Send every due run of every user, and retry deferred recipients");
  id->excludes(due);
  auto* dry = cmd->add_flag("--dry-run", o->dry_run,
                            "Render every message and list what would be sent; send and record nothing");
  auto* to = cmd->add_option("--to", o->to,
                             "Send one test copy of mailing ID to EMAIL (not counted in reports; the mailing "
                             "does not change)");
  auto* retry =
      cmd->add_flag("--retry-failed", o->retry_failed,
                    "A new run of mailing ID for the recipients whose last try failed, nobody else");
  cmd->add_flag(
      "--quiet-idle", o->quiet_idle,
      "Print nothing when nothing was due (what the crontab line uses, so the cron log stays quiet)");
  to->excludes(due)->excludes(dry)->excludes(retry);
  retry->excludes(due)->excludes(dry);
  cmd->callback([&ctx, o] {
    if (!o->mailing && !o->due) throw Error(Errc::usage, "send needs a mailing ID or --due");
    std::vector<DryRunCopy> copies;
    SendRequest request;
    request.dry_run = o->dry_run;
    request.dry_run_out = &copies;
    request.clock = [] { return current_time(); };
    if (ctx.options.verbose) request.log = [](std::string_view line) { std::cerr << line << "\n"; };
    std::unique_ptr<ProgressBar> bar;
    if (!o->dry_run && !ctx.options.quiet && !ctx.options.json && !ctx.options.verbose &&
        ::isatty(STDERR_FILENO)) {
      bar = std::make_unique<ProgressBar>();
      request.progress = [b = bar.get()](std::size_t done, std::size_t total) { (*b)(done, total); };
    }
    SendSummary s;
    if (o->due) {
      std::optional<Actor> actor;
      if (o->dry_run) actor = ctx.actor();  // a dry run shows everyone's recipients: managers only
      s = send_due(ctx.db(), ctx.config(), request, ctx.now(), actor ? &*actor : nullptr);
    } else if (o->to) {
      s = send_test_copy(ctx.db(), ctx.config(), ctx.actor(), *o->mailing, *o->to, request, ctx.now());
    } else if (o->retry_failed) {
      s = send_retry_failed(ctx.db(), ctx.config(), ctx.actor(), *o->mailing, request, ctx.now());
    } else {
      s = send_mailing_now(ctx.db(), ctx.config(), ctx.actor(), *o->mailing, request, ctx.now());
    }
    bar.reset();
    double rate = s.elapsed_s > 0 ? static_cast<double>(s.sent + s.bounced) / s.elapsed_s : 0;
    if (o->dry_run) {
      if (ctx.options.json) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& c : copies)
          arr.push_back(
              {{"mailing", c.mailing}, {"email", c.email}, {"subject", c.subject}, {"size", c.size}});
        ctx.print_json({{"dry_run", true}, {"messages", arr}});
      } else {
        Table t({"MAILING", "TO", "SUBJECT", "SIZE"});
        for (const auto& c : copies)
          t.add({std::to_string(c.mailing), c.email, ellipsize(c.subject, 60), std::to_string(c.size)});
        if (!copies.empty()) ctx.out += t.render();
        ctx.out += fmt::format(
            "dry run: {} message(s) in {} mailing(s) would be sent; nothing was sent or recorded\n", s.total,
            s.runs);
      }
      return;
    }
    ctx.exit_code = send_exit_code(s);
    std::vector<std::string> notes;
    for (const SendNote& note : s.notes) notes.push_back(note_line(note));
    // A cron tick with nothing to do leaves the cron log alone.
    const bool idle =
        o->quiet_idle && o->due && s.runs == 0 && s.total == 0 && s.busy == 0 && s.notes.empty();
    if (ctx.options.json) {
      ctx.print_json({{"runs", s.runs},
                      {"recipients", s.total},
                      {"sent", s.sent},
                      {"bounced", s.bounced},
                      {"deferred", s.deferred},
                      {"failed", s.failed},
                      {"stopped", s.stopped},
                      {"busy", s.busy},
                      {"notes", notes},
                      {"elapsed_s", s.elapsed_s},
                      {"msgs_per_s", rate}});
    } else if (!idle && !ctx.options.quiet) {
      ctx.out += fmt::format("sent {}, bounced {}, deferred {}, failed {} in {:.2f} s ({:.0f} msgs/s)\n",
                             s.sent, s.bounced, s.deferred, s.failed, s.elapsed_s, rate);
      if (s.stopped > 0) ctx.out += fmt::format("stopped: {} not sent\n", s.stopped);
    }
    for (const auto& line : notes) std::cerr << "mailer: " << line << "\n";
    if (ctx.exit_code == static_cast<int>(Errc::unavailable)) {
      std::string reason = s.unavailable_reason;  // one line: a multiline reply's lines joined
      std::replace(reason.begin(), reason.end(), '\n', ' ');
      std::cerr << fmt::format(
          "mailer: SMTP server {} unavailable: {} (nothing was sent; the recipients stay queued "
          "for the next `send --due`)\n",
          redact_url(ctx.config().smtp.url), reason);
    }
  });
}

}  // namespace mailer::cli
