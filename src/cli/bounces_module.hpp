#pragma once
// mailer-bounces.so, the module of the bounce commands (the parser on GMime, the mailbox on
// libcurl's IMAP), loaded once per process by the first bounce command that needs it.
#include "mailer/base/shared_library.hpp"

namespace mailer::cli {

const SharedLibrary& bounces_module();

}  // namespace mailer::cli
