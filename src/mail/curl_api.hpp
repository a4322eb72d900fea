#pragma once
// libcurl, loaded on first use. Linking it would load ~35 more libraries (GnuTLS, Kerberos,
// LDAP, ...) and run their initialisers in every process: ~4.5 ms of every `send --due`
// cron tick, most of which have nothing to send. Only the few entry points we call are resolved.
#include <curl/curl.h>

#include <memory>

namespace mailer::mail {

struct CurlApi {
  CURLcode (*global_init)(long flags);
  CURL* (*easy_init)();
  void (*easy_cleanup)(CURL* handle);
  CURLcode (*easy_setopt)(CURL* handle, CURLoption option, ...);
  CURLcode (*easy_perform)(CURL* handle);
  const char* (*easy_strerror)(CURLcode code);
};

// Loads libcurl.so.4 once (thread-safe) and runs curl_global_init. Throws Error{config} when
// the library is missing.
const CurlApi& curl_api();

// Owns an easy handle: curl_easy_cleanup at scope exit (for SMTP that says QUIT).
struct EasyDeleter {
  void operator()(CURL* easy) const noexcept { curl_api().easy_cleanup(easy); }
};
using EasyPtr = std::unique_ptr<CURL, EasyDeleter>;

}  // namespace mailer::mail
