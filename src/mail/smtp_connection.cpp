// libcurl keeps each handle's connection between transfers (same URL, same handle), so a
// connection carries MAIL/RCPT/DATA for many messages; after a rejected RCPT 7.88 closes it
// and the next transfer reconnects by itself.
#include "smtp_connection.hpp"

#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "mailer/base/error.hpp"
#include "mailer/core/url.hpp"

namespace mailer::mail {
namespace {

// CURLUSESSL_TRY would send the password in clear to a server that does not offer STARTTLS,
// or to whoever strips the offer from its EHLO reply: with a login, TLS is required unless the
// config says "none" in so many words.
long use_ssl(const SmtpSettings& settings) {
  if (settings.tls == TlsMode::none) return CURLUSESSL_NONE;
  if (settings.tls == TlsMode::implicit || !settings.username.empty()) return CURLUSESSL_ALL;
  return CURLUSESSL_TRY;
}

TransferEnd transfer_end(CURLcode rc) {
  switch (rc) {
    case CURLE_OK:
      return TransferEnd::ok;
    case CURLE_COULDNT_CONNECT:
      return TransferEnd::no_connection;
    case CURLE_COULDNT_RESOLVE_HOST:
      return TransferEnd::unresolved;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_USE_SSL_FAILED:
      return TransferEnd::tls;
    case CURLE_OPERATION_TIMEDOUT:
      return TransferEnd::timeout;
    default:
      return TransferEnd::other;
  }
}

}  // namespace

void prepare_smtp(const SmtpSettings& settings) {
  curl_api();
  if (!starts_with_nocase(settings.url, "SMTP://") && !starts_with_nocase(settings.url, "SMTPS://"))
    throw Error(Errc::config, "smtp.url must start with smtp:// or smtps://: " + redact_url(settings.url));
}

SmtpConnection::SmtpConnection(const SmtpSettings& settings) : easy_(curl_api().easy_init()) {
  if (!easy_) throw Error(Errc::internal, "libcurl could not create a handle");
  CURL* e = easy_.get();
  timeout_s_ = settings.timeout_s > 0 ? settings.timeout_s : 30;
  bool ok = true;
  auto set = [&](CURLoption option, auto value) {
    ok = ok && curl_api().easy_setopt(e, option, value) == CURLE_OK;
  };
  set(CURLOPT_URL, settings.url.c_str());
  // libcurl's signal handling (SIGALRM for DNS timeouts, SIGPIPE ignored through
  // sigaction around each call) is process-wide and races between threads; SIGPIPE is
  // blocked per thread instead (SigpipeBlock).
  set(CURLOPT_NOSIGNAL, 1L);
  set(CURLOPT_USE_SSL, use_ssl(settings));
  if (!settings.ca_file.empty()) set(CURLOPT_CAINFO, settings.ca_file.c_str());
  if (!settings.username.empty()) {
    set(CURLOPT_USERNAME, settings.username.c_str());
    set(CURLOPT_PASSWORD, settings.password.c_str());
  }
  default_from_ = from_ = settings.mail_from;
  set(CURLOPT_MAIL_FROM, from_.c_str());
  // libcurl reads the list at each transfer, so one node whose data pointer moves to the
  // current recipient serves every message without an allocation.
  rcpt_.next = nullptr;
  rcpt_.data = empty_;
  set(CURLOPT_MAIL_RCPT, &rcpt_);
  set(CURLOPT_UPLOAD, 1L);
  set(CURLOPT_READFUNCTION, &SmtpConnection::read_cb);
  set(CURLOPT_READDATA, this);
  set(CURLOPT_VERBOSE, 1L);  // the debug callback is only called in verbose mode
  set(CURLOPT_DEBUGFUNCTION, &SmtpConnection::debug_cb);
  set(CURLOPT_DEBUGDATA, this);
  set(CURLOPT_ERRORBUFFER, errbuf_);
  set(CURLOPT_OPENSOCKETFUNCTION, &SmtpConnection::open_socket_cb);
  set(CURLOPT_OPENSOCKETDATA, this);
  set(CURLOPT_CLOSESOCKETFUNCTION, &SmtpConnection::close_socket_cb);
  set(CURLOPT_CLOSESOCKETDATA, this);
  set(CURLOPT_CONNECTTIMEOUT, timeout_s_);
  // Bounds each wait for a reply, including the one libcurl does after the message data.
  set(CURLOPT_SERVER_RESPONSE_TIMEOUT, timeout_s_);
  // A server that stops reading the message data: below 1 byte/s for timeout_s.
  set(CURLOPT_LOW_SPEED_LIMIT, 1L);
  set(CURLOPT_LOW_SPEED_TIME, timeout_s_);
  if (!ok) throw Error(Errc::internal, "libcurl rejected the SMTP options");
}

Delivery SmtpConnection::deliver(const Envelope& envelope) noexcept {
  // libcurl puts the address into "RCPT TO:<...>" as it is: a CR or LF would smuggle in
  // commands of its own. The caller validates addresses; this only keeps the wire sane.
  if (!wire_safe_address(envelope.rcpt)) return invalid_recipient(envelope.id);
  body_ = envelope.data;
  offset_ = 0;
  rcpt_.data = const_cast<char*>(envelope.rcpt.c_str());
  // A VERP sender differs per copy; libcurl copies the string, so only a change costs a call.
  const std::string& from = envelope.mail_from.empty() ? default_from_ : envelope.mail_from;
  if (from != from_) {
    if (!wire_safe_address(from)) return invalid_recipient(envelope.id);
    from_ = from;
    curl_api().easy_setopt(easy_.get(), CURLOPT_MAIL_FROM, from_.c_str());
  }
  tracker_.reset();
  curl_api().easy_setopt(easy_.get(), CURLOPT_INFILESIZE_LARGE,
                         static_cast<curl_off_t>(envelope.data.size()));
  const CURLcode rc = curl_api().easy_perform(easy_.get());
  // 7.88 keeps the connection after some failures, e.g. a timeout waiting for the reply to
  // the message data; that late reply would then be read as the answer to the next MAIL
  // FROM, and every reply after it would belong to the wrong command. A connection that
  // failed is shut down instead: the next transfer finds it dead, drops it without a
  // (blocking) QUIT and connects again. Only a refusal of the message data itself leaves
  // the conversation in step, and that connection is worth keeping.
  if (rc != CURLE_OK && !tracker_.refused_message())
    for (const curl_socket_t fd : sockets_) shutdown(fd, SHUT_RDWR);
  const bool all_read = offset_ == body_.size();
  rcpt_.data = empty_;
  body_ = {};
  const char* error = rc == CURLE_OK ? "" : errbuf_[0] ? errbuf_ : curl_api().easy_strerror(rc);
  return classify_transfer(envelope.id, tracker_, transfer_end(rc), all_read, error);
}

size_t SmtpConnection::read_cb(char* buffer, size_t size, size_t nitems, void* userp) {
  auto* self = static_cast<SmtpConnection*>(userp);
  const size_t n = std::min(size * nitems, self->body_.size() - self->offset_);
  std::memcpy(buffer, self->body_.data() + self->offset_, n);
  self->offset_ += n;
  return n;
}

// The sockets are tracked only so that a failed connection can be shut down (see deliver()).
curl_socket_t SmtpConnection::open_socket_cb(void* clientp, curlsocktype, curl_sockaddr* address) {
  auto* self = static_cast<SmtpConnection*>(clientp);
  // CLOEXEC: the process may run children (crontab, tests' servers) while connected.
  const int fd = socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
  if (fd < 0) return CURL_SOCKET_BAD;
  self->sockets_.push_back(fd);
  return fd;
}

int SmtpConnection::close_socket_cb(void* clientp, curl_socket_t fd) {
  auto* self = static_cast<SmtpConnection*>(clientp);
  std::erase(self->sockets_, fd);
  return ::close(fd);
}

int SmtpConnection::debug_cb(CURL*, curl_infotype type, char* data, size_t size, void* userp) {
  auto* self = static_cast<SmtpConnection*>(userp);
  if (type == CURLINFO_HEADER_IN)
    self->tracker_.on_reply_bytes({data, size});
  else if (type == CURLINFO_HEADER_OUT)
    self->tracker_.on_command({data, size});
  return 0;
}

}  // namespace mailer::mail
