// The template check on any text: accepted templates render without error or crash; the rest
// are a clean Error{data}, whatever the nesting, the delimiters or the size.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "mailer/base/error.hpp"
#include "mailer/core/template.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailer;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  bool checked = false;
  try {
    check_template(text, "body");
    checked = true;
  } catch (const Error& e) {
    if (e.code() != Errc::data) std::abort();
  }
  if (!checked) return 0;
  TemplateValues values{"Иван", "ivan@example.com", "https://shop.example/u/1.2.abc"};
  try {
    (void)render_template(text, values, false);
    (void)render_template(text, values, true);
  } catch (const Error&) {
    std::abort();  // what the check accepted must render
  }
  return 0;
}
