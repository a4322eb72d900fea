#pragma once
// The tracking server as the CLI sees it. Its implementation (server.cpp, on cpp-httplib) is
// built into a module of its own, mailer-serve.so, that only `mailer serve` loads: linked into
// the executable, cpp-httplib and what it links (OpenSSL, brotli, zlib) cost every run of
// mailer, most of them idle cron ticks, some 3 ms at start.
#include "mailer/serve/server.hpp"

namespace mailer::serve {

class Service {
 public:
  virtual ~Service() = default;
  // As Server's: bind() throws Error{unavailable} when the address is taken; run() serves
  // until stop(), which any thread may call.
  virtual void bind() = 0;
  virtual void run() = 0;
  virtual void stop() = 0;
};

// The module's one entry point, under this name: a new service, which the caller deletes.
using MakeService = Service* (*)(ServerOptions* options);
inline constexpr const char kMakeServiceSymbol[] = "mailer_serve_make_service";

}  // namespace mailer::serve
