#pragma once
// Internationalised domain names (IDNA 2008 with the UTS #46 mapping) through libidn2. The
// library is loaded on first use, that is, on the first non-ASCII domain: linking it (and
// libunistring) would cost every process ~1 ms at start, most of which see ASCII only.
#include <optional>
#include <string>
#include <string_view>

namespace mailer::idn {

// The ASCII form of a domain, mapped (lowercased, NFC) and punycoded label by label:
// "Почта.РФ" -> "xn--80a1acny.xn--p1ai". ASCII input is returned as it is. nullopt when the
// domain is not a valid internationalised name.
std::optional<std::string> to_ascii(std::string_view domain);

// The canonical Unicode form of a domain: "ПОЧТА.рф" and "xn--80a1acny.xn--p1ai" both give
// "почта.рф". ASCII input is returned lowercased. nullopt when it is not a valid name.
std::optional<std::string> to_unicode(std::string_view domain);

}  // namespace mailer::idn
