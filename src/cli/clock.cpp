// The one place that reads the system clock (and MAILER_NOW, which tests and users set to
// replay a moment): everything below the CLI is given `now` or a clock function.
#include "clock.hpp"

#include <chrono>
#include <cstdlib>

namespace mailer {

Time current_time() {
  const Time clock =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  const char* fake = std::getenv("MAILER_NOW");
  // An empty value counts as unset, as shells make `MAILER_NOW= mailer ...` easy to write.
  if (fake == nullptr || *fake == '\0') return clock;
  return parse_time(fake, clock, "MAILER_NOW");
}

}  // namespace mailer
