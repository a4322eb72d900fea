#pragma once
// Open and click tracking of a copy's HTML part (SPEC §3, tracking.*): a small scanner that
// rewrites links and adds the open pixel. The text part is never tracked: it stays readable.
#include <optional>
#include <string>
#include <string_view>

#include "mailer/core/config.hpp"

namespace mailer::mail {

// What the copies of a run track; the same for each of them.
struct TrackingLinks {
  std::string base_url;  // tracking.base_url, without a trailing slash
  std::string key;       // the installation's HMAC key (tracking_key)
  bool opens = true;     // tracking.opens: the 1x1 pixel
  bool clicks = true;    // tracking.clicks: http(s) links through <base>/c/...
};

// The tracking of `config` with the installation's `key`; nullopt when there is none to do
// (no tracking.base_url, or opens and clicks both off).
std::optional<TrackingLinks> tracking_links(const Config& config, std::string key);

// Appends `html` to `out`, tracked for the copy whose token is `token`:
//  - clicks: the first href of each <a> and <area> start tag whose value, its character
//    references decoded and surrounding whitespace trimmed, starts with http:// or https://
//    (any case) becomes click_url() of that URL, written back HTML-escaped in double quotes.
//    Left as they are: `unsubscribe_url`, the URLs of the tracking server itself
//    (<base>/u/, /o/, /c/), mailto:, tel:, #anchors, relative links, and anything inside a
//    comment, <script>, <style>, <title> or <textarea>. The content of an Outlook
//    conditional comment (<!--[if mso]>...<![endif]-->) is markup and is tracked.
//  - opens: the pixel just before the last </body> (any case), else at the end.
// Linear in the size of `html`; any bytes are accepted, and a tag left open at the end of
// the input is copied as it is.
void add_tracking(std::string& out, std::string_view html, const TrackingLinks& tracking,
                  std::string_view token, std::string_view unsubscribe_url);
std::string add_tracking(std::string_view html, const TrackingLinks& tracking, std::string_view token,
                         std::string_view unsubscribe_url);

// The pixel element for `token`, as add_tracking inserts it.
std::string open_pixel_element(const TrackingLinks& tracking, std::string_view token);

}  // namespace mailer::mail
