#include "mailer/serve/server.hpp"

#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <mutex>

#include <fmt/format.h>

#include "attempt_lookup.hpp"
#include "mailer/base/error.hpp"
#include "mailer/core/tracking.hpp"
#include "mailer/serve/event_writer.hpp"
#include "mailer/serve/hits.hpp"
#include "pages.hpp"
#include "task_pool.hpp"

namespace mailer::serve {
namespace {

// cpp-httplib listens with a backlog of 5; a burst of new connections (a mailing opened at
// once, or wrk's thousand) overflows it and waits out SYN retries.
constexpr int kBacklog = 1024;

// Tracking answers are per recipient and per moment: no cache, no proxy, may keep them.
void no_cache(httplib::Response& res) {
  res.set_header("Cache-Control", "no-store, no-cache, must-revalidate, private");
  res.set_header("Pragma", "no-cache");
  res.set_header("Expires", "0");
}

void not_found(httplib::Response& res) {
  res.status = 404;
  res.set_content("Not found\n", "text/plain; charset=utf-8");
}

void html(httplib::Response& res, std::string_view page) {
  no_cache(res);
  // The pages need nothing from anywhere; the form posts back to where it came from.
  res.set_header("Content-Security-Policy",
                 "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'");
  res.set_content(std::string(page), "text/html; charset=utf-8");
}

// The accepting server, with its listening socket within reach to widen the backlog.
class HttpServer : public httplib::Server {
 public:
  void widen_backlog() { ::listen(svr_sock_, kBacklog); }
};

// When the request was read, for the log line's milliseconds (a connection is one thread).
thread_local std::chrono::steady_clock::time_point request_start{};

}  // namespace

struct Server::Impl {
  ServerOptions options;
  std::string key;
  std::unique_ptr<AttemptLookup> lookup;
  std::unique_ptr<EventWriter> writer;
  HttpServer http;
  std::atomic<bool> stopping{false};
  std::mutex stop_mutex;  // the signal's thread and the accepting thread may both stop it

  void stop_http() {
    std::lock_guard lock(stop_mutex);
    http.stop();
  }

  explicit Impl(ServerOptions o) : options(std::move(o)) {
    if (!options.warn) options.warn = [](const std::string&) {};
    auto db = options.open_db();
    key = tracking_key(*db);
    writer = std::make_unique<EventWriter>(std::move(db), options.warn);
    lookup = std::make_unique<AttemptLookup>(options.open_db, options.readers);
    routes();
  }

  struct Verified {
    TokenTarget target;
    DeliveredAttempt delivered;
  };
  // A genuine token whose recipient was sent to in its run.
  std::optional<Verified> verify(const std::string& token) {
    auto target = verify_tracking_token(key, token);
    if (!target) return std::nullopt;
    auto delivered = lookup->find(target->run, target->client);
    if (!delivered) return std::nullopt;
    return Verified{*target, *delivered};
  }

  // Records the hit unless it is a HEAD (a link checker's, never a reader's); false when it
  // could not be recorded, with the 503 set.
  bool record(const httplib::Request& req, httplib::Response& res, const Verified& v, const char* kind,
              std::string detail, std::optional<bool> counted = std::nullopt) {
    if (req.method == "HEAD") return true;
    NewEvent e;
    e.attempt = v.delivered.attempt;
    e.run = v.target.run;
    e.client = v.target.client;
    e.kind = kind;
    e.at = options.clock();
    e.detail = std::move(detail);
    e.user_agent = clean_user_agent(req.get_header_value("User-Agent"));
    e.counted = counted.value_or(true);
    if (!counted && e.kind == "open") e.counted = open_counts(e.user_agent, v.delivered.at, e.at);
    if (writer->record(std::move(e))) return true;
    res.status = 503;
    res.set_header("Retry-After", "5");
    res.set_content("Service unavailable\n", "text/plain; charset=utf-8");
    return false;
  }

  void get(const httplib::Request& req, httplib::Response& res) {
    Target t = parse_target(req.path);
    if (t.route == Route::none) return not_found(res);
    auto v = verify(t.token);
    if (!v) return not_found(res);
    if (t.route == Route::open) {
      if (!record(req, res, *v, "open", "")) return;
      no_cache(res);
      res.set_content(std::string(pixel_gif()), "image/gif");
    } else if (t.route == Route::click) {
      auto url = query_value(req.target, "u");
      if (!url || !redirectable(*url) || !verify_click_signature(key, t.token, *url, t.signature))
        return not_found(res);
      if (!record(req, res, *v, "click", *url, true)) return;
      no_cache(res);
      // The token stays out of the Referer the target site would see.
      res.set_header("Referrer-Policy", "no-referrer");
      res.set_redirect(location_value(*url), 302);
    } else {
      html(res, unsubscribe_page());  // a GET never unsubscribes: link scanners follow GETs
    }
  }

  void post(const httplib::Request& req, httplib::Response& res) {
    Target t = parse_target(req.path);
    if (t.route == Route::none) return not_found(res);
    if (t.route != Route::unsubscribe) return not_allowed(res, t.route);
    auto v = verify(t.token);
    if (!v) return not_found(res);
    // RFC 8058: the body is "List-Unsubscribe=One-Click" (form-encoded or multipart).
    bool one_click = req.body.find("List-Unsubscribe") != std::string::npos &&
                     req.body.find("One-Click") != std::string::npos;
    if (!record(req, res, *v, "unsubscribe", one_click ? "one-click" : "link", true)) return;
    html(res, unsubscribed_page());
  }

  void other(const httplib::Request& req, httplib::Response& res) {
    Target t = parse_target(req.path);
    if (t.route == Route::none) return not_found(res);
    not_allowed(res, t.route);
  }

  static void not_allowed(httplib::Response& res, Route route) {
    res.status = 405;
    res.set_header("Allow", route == Route::unsubscribe ? "GET, HEAD, POST" : "GET, HEAD");
    res.set_content("Method not allowed\n", "text/plain; charset=utf-8");
  }

  void routes() {
    const std::string any = ".*";
    http.Get(any, [this](const auto& req, auto& res) { get(req, res); });
    http.Post(any, [this](const httplib::Request& req, httplib::Response& res) { post(req, res); });
    auto refuse = [this](const httplib::Request& req, httplib::Response& res) { other(req, res); };
    http.Put(any, refuse);
    http.Patch(any, refuse);
    http.Delete(any, refuse);
    http.Options(any, refuse);
    http.set_exception_handler(
        [this](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
          try {
            std::rethrow_exception(ep);
          } catch (const std::exception& e) {
            options.warn(fmt::format("request failed: {}", e.what()));
          } catch (...) {
            options.warn("request failed");
          }
          res.status = 503;
          res.set_content("Service unavailable\n", "text/plain; charset=utf-8");
        });
    http.set_pre_routing_handler([](const httplib::Request&, httplib::Response&) {
      request_start = std::chrono::steady_clock::now();
      return httplib::Server::HandlerResponse::Unhandled;
    });
    if (options.log) {
      http.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
        std::string ms = "-";
        if (request_start != std::chrono::steady_clock::time_point{}) {
          auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                          request_start);
          ms = fmt::format("{:.1f}", static_cast<double>(us.count()) / 1000.0);
          request_start = {};
        }
        options.log(fmt::format("{} {} {} {} ms", req.method, redact_path(req.path), res.status, ms));
      });
    }
    http.new_task_queue = [this] {
      return new TaskPool(options.max_threads, [this] {
        if (stopping) stop_http();
      });
    };
    // Threads are one per connection: an idle keep-alive connection holds one until this
    // timeout, and makes a stop wait for it.
    http.set_keep_alive_max_count(10000);
    http.set_keep_alive_timeout(2);
    http.set_read_timeout(5);
    http.set_write_timeout(5);
    http.set_idle_interval(0, 100000);  // on_idle checks for a stop every 100 ms
    http.set_tcp_nodelay(true);
    // SO_REUSEADDR only: cpp-httplib also sets SO_REUSEPORT, which lets a second server bind
    // the same port and silently take half the hits.
    http.set_socket_options([](socket_t sock) {
      int yes = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    http.set_payload_max_length(64 * 1024);
  }
};

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Server::~Server() = default;

void Server::bind() {
  const ListenAddress& at = impl_->options.listen;
  errno = 0;
  if (!impl_->http.bind_to_port(at.host, at.port)) {
    int err = errno;
    std::string where = format_listen(at);
    if (err == EADDRINUSE)
      throw Error(Errc::unavailable, fmt::format("cannot listen on {}: the address is in use", where),
                  "is another mailer serve running? choose another port with --listen");
    if (err == EACCES)
      throw Error(Errc::unavailable, fmt::format("cannot listen on {}: permission denied", where),
                  "ports below 1024 need privileges: use a higher port behind a proxy");
    throw Error(
        Errc::unavailable,
        fmt::format("cannot listen on {}{}", where, err != 0 ? fmt::format(": {}", std::strerror(err)) : ""),
        "is the address one of this machine's?");
  }
  impl_->http.widen_backlog();
}

void Server::run() {
  impl_->http.listen_after_bind();
  // Every connection's thread has ended: no request waits for the writer any more.
  impl_->writer->stop();
}

void Server::stop() {
  impl_->stopping = true;
  impl_->stop_http();
}

}  // namespace mailer::serve
