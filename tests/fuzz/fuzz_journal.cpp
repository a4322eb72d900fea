// The delivery journal parser on any bytes (a torn, forged or corrupted file): only
// well-formed records of known statuses come out, and each writes back to the same line.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "mailer/mail/journal.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailer;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const auto& record : parse_journal(text)) {
    if (record.status != "sent" && record.status != "bounced" && record.status != "deferred" &&
        record.status != "failed")
      std::abort();
    std::string line;
    append_journal_record(record, line);
    auto again = parse_journal(line);
    if (again.size() != 1 || !(again[0] == record)) std::abort();
  }
  return 0;
}
