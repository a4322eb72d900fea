#pragma once
// URLs as the config holds them (smtp://, imap://, http://): the parts mailer must check or
// hide before a URL is printed.
#include <string>
#include <string_view>

namespace mailer {

// True when the URL's authority holds user information ("user:password@host").
bool url_has_userinfo(std::string_view url);

// The URL as it may be printed (errors, logs, cron's mail): user information is replaced by
// "***", and control characters by "?". Call it on every URL that reaches a message.
std::string redact_url(std::string_view url);

}  // namespace mailer
