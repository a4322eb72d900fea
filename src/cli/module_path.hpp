#pragma once
// Where mailer finds the modules that only some commands load (mailer-serve.so,
// mailer-bounces.so): beside the executable in a build tree, in lib/mailer beside its bin
// when installed.
#include <string>

namespace mailer::cli {

std::string module_path(const char* file_name);

}  // namespace mailer::cli
