#pragma once
// The bodies `mailer serve` answers with: the open pixel and the unsubscribe pages.
#include <string_view>

namespace mailer::serve {

// A transparent 1x1 GIF (43 bytes).
std::string_view pixel_gif();

// The unsubscribe confirmation page: its button POSTs back to the page's own URL, so it
// works under whatever path a proxy maps. Self-contained: no script, font or image.
std::string_view unsubscribe_page();
// The answer to that POST, and to an RFC 8058 one-click POST.
std::string_view unsubscribed_page();

}  // namespace mailer::serve
