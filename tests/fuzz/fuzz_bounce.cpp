// The bounce parser on any bytes: GMime's reading of the MIME structure and our own parsers of
// delivery-status fields and free text, never a crash, a hang or a read past the input; a
// hard bounce is only ever an address-level reason.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mailer/bounces/delivery_status.hpp"
#include "mailer/bounces/free_text.hpp"
#include "mailer/bounces/mime.hpp"
#include "mailer/bounces/report.hpp"

namespace {

void check(const mailer::bounces::Report& report) {
  using namespace mailer::bounces;
  for (const Failure& f : report.failures) {
    bool address =
        f.reason == Reason::userunknown || f.reason == Reason::hostunknown || f.reason == Reason::hasmoved;
    if (f.severity == Severity::hard && !address) std::abort();
    if (f.severity == Severity::hard && !f.status.empty() && f.status.front() == '4') std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailer::bounces;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // The first byte picks the way in: the whole message through GMime, or one of our parsers.
  unsigned mode = text.empty() ? 0 : static_cast<unsigned char>(text[0]) % 4;
  if (!text.empty()) text.remove_prefix(1);
  switch (mode) {
    case 0:
    case 1:
      check(parse_message(text));
      break;
    case 2:
      for (const DsnRecipient& r : parse_delivery_status(text).recipients)
        (void)severity_of(classify(r.status, r.diagnostic), r.status);
      break;
    default:
      for (const TextFailure& f : parse_free_text(text))
        if (f.recipient.empty()) std::abort();
      break;
  }
  return 0;
}
