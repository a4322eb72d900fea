#include "curl_api.hpp"

#include <dlfcn.h>

#include <mutex>
#include <string>

#include "mailer/error.hpp"

namespace mailer::mail {
namespace {

template <class Fn>
void resolve(void* lib, const char* name, Fn& out) {
  void* symbol = ::dlsym(lib, name);
  if (!symbol) throw Error(Errc::config, std::string("libcurl lacks ") + name, "install Debian's libcurl4");
  out = reinterpret_cast<Fn>(symbol);
}

CurlApi load() {
  void* lib = ::dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char* why = ::dlerror();
    throw Error(Errc::config, std::string("cannot load libcurl: ") + (why ? why : "unknown error"),
                "install Debian's libcurl4");
  }
  CurlApi api{};
  resolve(lib, "curl_global_init", api.global_init);
  resolve(lib, "curl_easy_init", api.easy_init);
  resolve(lib, "curl_easy_cleanup", api.easy_cleanup);
  resolve(lib, "curl_easy_setopt", api.easy_setopt);
  resolve(lib, "curl_easy_perform", api.easy_perform);
  resolve(lib, "curl_easy_strerror", api.easy_strerror);
  if (api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw Error(Errc::internal, "libcurl could not be initialised");
  return api;  // the library stays loaded for the life of the process
}

}  // namespace

const CurlApi& curl_api() {
  static std::once_flag once;
  static CurlApi api;
  std::call_once(once, [] { api = load(); });
  return api;
}

}  // namespace mailer::mail
