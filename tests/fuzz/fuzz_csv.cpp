// The CSV reader on any bytes: records or a clean Error, never a crash, a hang or a read past
// the input; every field it returns is valid UTF-8.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "mailer/core/csv.hpp"
#include "mailer/base/error.hpp"
#include "mailer/base/validate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailer;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // The first byte picks the encoding, so both decoders are explored.
  csv::Encoding encoding = csv::Encoding::detect;
  if (!text.empty()) {
    encoding = static_cast<csv::Encoding>(static_cast<unsigned char>(text[0]) % 3);
    text.remove_prefix(1);
  }
  csv::StringSource source(text);
  csv::Limits limits;
  limits.field = 4096;
  limits.record = 16384;
  limits.fields = 256;
  try {
    csv::Reader reader(source, encoding, limits);
    csv::Record record;
    while (reader.next(record))
      for (const auto& field : record.fields)
        if (!is_valid_utf8(field) || field.size() > limits.field) std::abort();
  } catch (const Error& e) {
    if (e.code() != Errc::data) std::abort();
  }
  return 0;
}
