// The entry point of mailer-serve.so (see mailer/serve/service.hpp): the only symbol the
// module exports; the layers it holds stay its own.
#include <utility>

#include "mailer/serve/service.hpp"

namespace {

class HttpService final : public mailer::serve::Service {
 public:
  explicit HttpService(mailer::serve::ServerOptions options) : server_(std::move(options)) {}
  void bind() override { server_.bind(); }
  void run() override { server_.run(); }
  void stop() override { server_.stop(); }

 private:
  mailer::serve::Server server_;
};

}  // namespace

extern "C" __attribute__((visibility("default"))) mailer::serve::Service* mailer_serve_make_service(
    mailer::serve::ServerOptions* options) {
  return new HttpService(std::move(*options));
}
