#include "input_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "mailer/base/error.hpp"

namespace mailer::cli {

InputFile::InputFile(const std::string& path) : name_(path == "-" ? "stdin" : path) {
  if (path == "-") {
    fd_ = STDIN_FILENO;
  } else {
    owned_.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!owned_)
      throw Error(Errc::not_found, fmt::format("cannot read {}: {}", path, std::strerror(errno)),
                  "check the file name");
    fd_ = owned_.get();
  }
  struct stat st {};
  if (::fstat(fd_, &st) == 0 && S_ISDIR(st.st_mode)) {
    throw Error(Errc::not_found, fmt::format("{} is a directory", name_),
                "give a file, or - for standard input");
  }
}

InputFile::~InputFile() = default;

std::size_t InputFile::read(char* buffer, std::size_t size) {
  while (true) {
    const ssize_t n = ::read(fd_, buffer, size);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    throw Error(Errc::not_found, fmt::format("cannot read {}: {}", name_, std::strerror(errno)));
  }
}

}  // namespace mailer::cli
