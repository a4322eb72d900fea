#pragma once
// One SMTP connection: a libcurl easy handle configured once and reused for every message.
#include <string>
#include <string_view>
#include <vector>

#include "curl_api.hpp"
#include "mailer/base/sigpipe_block.hpp"
#include "mailer/mail/smtp_reply.hpp"
#include "mailer/mail/smtp_sender.hpp"

namespace mailer::mail {

// Loads libcurl and checks the URL's scheme: Error{config} unless smtp:// or smtps://.
void prepare_smtp(const SmtpSettings& settings);

class SmtpConnection {
 public:
  // Configures the handle; connects at the first deliver().
  explicit SmtpConnection(const SmtpSettings& settings);
  // libcurl holds pointers to this object (callbacks, error buffer).
  SmtpConnection(const SmtpConnection&) = delete;
  SmtpConnection& operator=(const SmtpConnection&) = delete;
  // First of all: the cleanup still calls back into the members (QUIT's reply, close).
  ~SmtpConnection() { close(); }

  // Says QUIT and closes; the handle is gone afterwards.
  void close() noexcept { easy_.reset(); }

  // Sends one message over this connection (opening it when needed) and says what happened.
  // The envelope's strings must outlive the call.
  Delivery deliver(const Envelope& envelope) noexcept;

 private:
  static size_t read_cb(char* buffer, size_t size, size_t nitems, void* userp);
  static curl_socket_t open_socket_cb(void* clientp, curlsocktype, curl_sockaddr* address);
  static int close_socket_cb(void* clientp, curl_socket_t fd);
  static int debug_cb(CURL*, curl_infotype type, char* data, size_t size, void* userp);

  EasyPtr easy_;
  long timeout_s_ = 30;
  curl_slist rcpt_{};
  char empty_[1] = {'\0'};
  std::string_view body_;
  size_t offset_ = 0;
  ReplyTracker tracker_;
  char errbuf_[CURL_ERROR_SIZE] = {};
  std::vector<curl_socket_t> sockets_;  // open sockets of this handle (normally one)
  std::string default_from_;            // smtp.from's address
  std::string from_;                    // the envelope sender the handle is set to
};

}  // namespace mailer::mail
