#include "curl_api.hpp"

#include <mutex>

#include "mailer/base/error.hpp"
#include "mailer/base/shared_library.hpp"

namespace mailer::mail {
namespace {

CurlApi load() {
  SharedLibrary lib("libcurl.so.4", "libcurl4");
  CurlApi api{};
  lib.resolve("curl_global_init", api.global_init);
  lib.resolve("curl_easy_init", api.easy_init);
  lib.resolve("curl_easy_cleanup", api.easy_cleanup);
  lib.resolve("curl_easy_setopt", api.easy_setopt);
  lib.resolve("curl_easy_perform", api.easy_perform);
  lib.resolve("curl_easy_strerror", api.easy_strerror);
  if (api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    throw Error(Errc::internal, "libcurl could not be initialised");
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
