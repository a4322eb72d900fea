#pragma once
// The one place that reads the process's environment (issue 9: only the CLI does).
#include "mailer/core/environment.hpp"

namespace mailer::cli {

Environment read_environment();

}  // namespace mailer::cli
