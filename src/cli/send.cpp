// mailer send ID | --due [--dry-run]: delivery now, or what cron runs every minute (SPEC §3).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "context.hpp"
#include "mailer/dispatch.hpp"
#include "mailer/error.hpp"
#include "mailer/url.hpp"
#include "output.hpp"

namespace mailer::cli {
namespace {

struct SendOptions {
  std::optional<Id> mailing;
  bool due = false;
  bool dry_run = false;
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
  auto* cmd = app.add_subcommand("send", "Send one mailing now, or (--due) every due run: what cron runs each minute");
  auto* id = cmd->add_option("ID", o->mailing, "The mailing to send now");
  auto* due = cmd->add_flag("--due", o->due, "Send every due run of every user, and retry deferred recipients");
  id->excludes(due);
  cmd->add_flag("--dry-run", o->dry_run, "Render every message and list what would be sent; send and record nothing");
  cmd->callback([&ctx, o] {
    if (!o->mailing && !o->due) throw Error(Errc::usage, "send needs a mailing ID or --due");
    std::vector<DryRunCopy> copies;
    SendRequest request;
    request.dry_run = o->dry_run;
    request.dry_run_out = &copies;
    std::unique_ptr<ProgressBar> bar;
    if (!o->dry_run && !ctx.options.quiet && !ctx.options.json && ::isatty(STDERR_FILENO)) {
      bar = std::make_unique<ProgressBar>();
      request.progress = [b = bar.get()](std::size_t done, std::size_t total) { (*b)(done, total); };
    }
    SendSummary s = o->due ? send_due(ctx.db(), ctx.config(), request, ctx.now())
                           : send_mailing_now(ctx.db(), ctx.config(), ctx.actor(), *o->mailing, request, ctx.now());
    bar.reset();
    double rate = s.elapsed_s > 0 ? static_cast<double>(s.sent + s.bounced) / s.elapsed_s : 0;
    if (o->dry_run) {
      if (ctx.options.json) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& c : copies)
          arr.push_back({{"mailing", c.mailing}, {"email", c.email}, {"subject", c.subject}, {"size", c.size}});
        ctx.print_json({{"dry_run", true}, {"messages", arr}});
      } else {
        Table t({"MAILING", "TO", "SUBJECT", "SIZE"});
        for (const auto& c : copies)
          t.add({std::to_string(c.mailing), c.email, ellipsize(c.subject, 60), std::to_string(c.size)});
        if (!copies.empty()) ctx.out += t.render();
        ctx.out += fmt::format("dry run: {} message(s) in {} mailing(s) would be sent; nothing was sent or recorded\n",
                               s.total, s.runs);
      }
      return;
    }
    if (ctx.options.json) {
      ctx.print_json({{"runs", s.runs},
                      {"recipients", s.total},
                      {"sent", s.sent},
                      {"bounced", s.bounced},
                      {"deferred", s.deferred},
                      {"failed", s.failed},
                      {"elapsed_s", s.elapsed_s},
                      {"msgs_per_s", rate}});
    } else {
      ctx.out += fmt::format("sent {}, bounced {}, deferred {}, failed {} in {:.2f} s ({:.0f} msgs/s)\n", s.sent,
                             s.bounced, s.deferred, s.failed, s.elapsed_s, rate);
    }
    ctx.exit_code = send_exit_code(s);
    if (s.busy > 0)
      ctx.note(fmt::format("{} run(s) left alone: another mailer process is sending them", s.busy));
    if (ctx.exit_code == static_cast<int>(Errc::unavailable)) {
      std::string reason = s.unavailable_reason;  // one line: a multiline reply's lines joined
      std::replace(reason.begin(), reason.end(), '\n', ' ');
      std::cerr << fmt::format("mailer: SMTP server {} unavailable: {} (nothing was sent; the recipients stay queued "
                               "for the next `send --due`)\n",
                               redact_url(ctx.config().smtp.url), reason);
    }
  });
}

}  // namespace mailer::cli
