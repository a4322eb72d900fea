// mailer serve [--listen ADDR:PORT]: the tracking server (SPEC §3), until SIGTERM or SIGINT.
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cerrno>
#include <ctime>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "clock.hpp"
#include "context.hpp"
#include "mailer/base/error.hpp"
#include "mailer/base/shared_library.hpp"
#include "mailer/serve/service.hpp"
#include "mailer/store/open_database.hpp"
#include "module_path.hpp"

namespace mailer::cli {
namespace {

// Lines from many request threads, one whole line at a time.
std::function<void(const std::string&)> stderr_lines(std::shared_ptr<std::mutex> mutex) {
  return [mutex](const std::string& line) {
    std::lock_guard lock(*mutex);
    std::cerr << "serve: " << line << std::endl;
  };
}

// SIGTERM and SIGINT, blocked in every thread (BlockedSignals) and taken by one that stops
// the server: a signal handler could call nothing of the server safely.
class StopOnSignal {
 public:
  explicit StopOnSignal(serve::Service& server) {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGTERM);
    sigaddset(&signals_, SIGINT);
    waiter_ = std::thread([this, &server] {
      const timespec tick{0, 200'000'000};
      while (!done_) {
        if (sigtimedwait(&signals_, nullptr, &tick) > 0) {
          server.stop();
          return;
        }
      }
    });
  }
  ~StopOnSignal() {
    done_ = true;
    waiter_.join();
  }
  StopOnSignal(const StopOnSignal&) = delete;
  StopOnSignal& operator=(const StopOnSignal&) = delete;

 private:
  sigset_t signals_{};
  std::atomic<bool> done_{false};
  std::thread waiter_;
};

// Blocks the stop signals in this thread before any server thread starts, so that all of
// them inherit the mask and only StopOnSignal's waiter takes a signal.
struct BlockedSignals {
  BlockedSignals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, &previous);
  }
  ~BlockedSignals() { pthread_sigmask(SIG_SETMASK, &previous, nullptr); }
  sigset_t previous{};
};

std::unique_ptr<serve::Service> load_service(serve::ServerOptions options) {
  // Loaded once, for the life of the process (the service's code lives in it).
  static const SharedLibrary module(module_path(MAILER_SERVE_MODULE).c_str(), "mailer");
  serve::MakeService make = nullptr;
  module.resolve(serve::kMakeServiceSymbol, make);
  return std::unique_ptr<serve::Service>(make(&options));
}

void serve_command(Context& ctx, const std::string& listen) {
  serve::ListenAddress address;
  if (!listen.empty()) {
    auto parsed = serve::parse_listen(listen);
    if (!parsed)
      throw Error(Errc::usage, fmt::format("--listen '{}' is not ADDR:PORT", listen),
                  "e.g. --listen 127.0.0.1:8080 or --listen [::1]:8080");
    address = *parsed;
  }
  ctx.db();  // opens and migrates once, before the threads
  const std::string database = ctx.config().db_path, password = ctx.config().db_password;
  // A client gone mid-answer must cost its connection, not the process.
  signal(SIGPIPE, SIG_IGN);
  BlockedSignals blocked;
  auto log_mutex = std::make_shared<std::mutex>();
  serve::ServerOptions options;
  options.listen = address;
  options.open_db = [database, password] { return store::open_database(database, password); };
  options.clock = [] { return current_time(); };
  if (ctx.options.verbose) options.log = stderr_lines(log_mutex);
  options.warn = stderr_lines(log_mutex);
  std::unique_ptr<serve::Service> service = load_service(std::move(options));
  serve::Service& server = *service;
  server.bind();
  ctx.note(fmt::format("serving the tracking URLs on http://{}/ (stop: SIGTERM or Ctrl-C)",
                       serve::format_listen(address)));
  StopOnSignal stopper(server);
  server.run();
}

}  // namespace

void register_serve(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand(
      "serve",
      "Answer the open pixel, click and unsubscribe URLs under tracking.base_url (needs no session)");
  auto listen = std::make_shared<std::string>();
  cmd->add_option("--listen", *listen, "ADDR:PORT to listen on (default 127.0.0.1:8080)");
  cmd->callback([&ctx, listen] { serve_command(ctx, *listen); });
}

}  // namespace mailer::cli
