#pragma once
// `mailer serve`: the HTTP server of the tracking URLs (SPEC §3). GET /o/<token>.gif is the
// open pixel, GET /c/<token>/<sig>?u=<url> a click's redirect, GET /u/<token> the unsubscribe
// page and POST /u/<token> the unsubscribe itself (the page's button, or RFC 8058 one-click).
// Every hit answered 200 or 302 is one event row; nothing else writes.
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "mailer/base/time.hpp"
#include "mailer/store/database.hpp"

namespace mailer::serve {

struct ListenAddress {
  std::string host = "127.0.0.1";
  int port = 8080;
};
// "ADDR:PORT", "[IPv6]:PORT"; none when malformed or the port is not 1-65535.
std::optional<ListenAddress> parse_listen(std::string_view text);
std::string format_listen(const ListenAddress& address);

struct ServerOptions {
  ListenAddress listen;
  // Opens another connection to the database: the writer's, and the readers'.
  std::function<std::unique_ptr<store::Database>()> open_db;
  std::function<Time()> clock;
  std::function<void(const std::string&)> log;   // one line per request; empty: none
  std::function<void(const std::string&)> warn;  // failures to record
  std::size_t max_threads = 2048;                // one per open connection
  std::size_t readers = 4;
};

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listening socket: Error{unavailable} when the address is in use or not ours.
  void bind();
  // Serves until stop(); then finishes the requests in flight and commits their events.
  void run();
  // Stops accepting; safe from any thread, before or during run() (not from a signal handler).
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mailer::serve
