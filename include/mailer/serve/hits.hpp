#pragma once
// What `mailer serve` makes of a request before it touches the database: which tracking URL
// it is, whose user agent, and how it may be logged (SPEC §3).
#include <optional>
#include <string>
#include <string_view>

#include "mailer/base/time.hpp"

namespace mailer::serve {

enum class Route { none, open, click, unsubscribe };

// The tracking URL a path names: /o/<token>.gif, /c/<token>/<sig>, /u/<token>.
struct Target {
  Route route = Route::none;
  std::string token;
  std::string signature;  // clicks only
};
Target parse_target(std::string_view path);

// The value of `name` in the query of a raw request target ("/c/t/s?u=https%3A..."),
// percent-decoded; none when absent or malformed.
std::optional<std::string> query_value(std::string_view target, std::string_view name);

// Whether a click may redirect to `url`: http or https, and nothing a header cannot carry.
bool redirectable(std::string_view url);

// `url` as a Location header carries it: octets outside ASCII percent-encoded (RFC 3986, as
// browsers send them), the rest as it is.
std::string location_value(std::string_view url);

// A user agent as recorded: control characters dropped, at most kUserAgentMax bytes (cut
// at a character boundary).
inline constexpr std::size_t kUserAgentMax = 512;
std::string clean_user_agent(std::string_view user_agent);

// Whether a user agent is one of the mail security gateways and link previewers that fetch
// every image and link of a message before (or instead of) its reader: their opens are kept
// but not counted. Image proxies that fetch on the reader's behalf (Gmail, Yahoo) are opens.
bool is_link_scanner(std::string_view user_agent);

// An open counts unless a scanner made it, or it came at most kEarlyOpenSeconds after the
// delivery (times are whole seconds): no reader opens a message that fast, a scanner does.
inline constexpr Time kEarlyOpenSeconds = 2;
bool open_counts(std::string_view user_agent, Time delivered_at, Time at);

// A path fit for a log line: every run of 8 or more hex digits (a token's MAC, a click's
// signature) cut to its first 4 and "…", control characters dropped, at most 120 bytes.
std::string redact_path(std::string_view path);

}  // namespace mailer::serve
