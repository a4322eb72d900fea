#include "module_path.hpp"

#include <filesystem>

namespace mailer::cli {

std::string module_path(const char* file_name) {
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::path exe = fs::read_symlink("/proc/self/exe", error);
  const fs::path installed = exe.parent_path().parent_path() / "lib" / "mailer" / file_name;
  const fs::path beside = exe.parent_path() / file_name;
  return (fs::exists(beside, error) ? beside : installed).string();
}

}  // namespace mailer::cli
