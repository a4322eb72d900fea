#pragma once
// A file named on the command line, or standard input for "-", read in blocks: what
// `client import` streams from.
#include <string>

#include "mailer/base/unique_fd.hpp"
#include "mailer/core/csv.hpp"

namespace mailer::cli {

class InputFile : public csv::Source {
 public:
  // Error{not_found} (66) for a missing or unreadable file and for a directory.
  explicit InputFile(const std::string& path);
  ~InputFile() override;
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  std::size_t read(char* buffer, std::size_t size) override;
  // How messages name it: the path, or "stdin".
  const std::string& name() const { return name_; }

 private:
  UniqueFd owned_;  // the file opened; empty for standard input, which is not ours to close
  int fd_ = -1;     // what is read: owned_ or standard input
  std::string name_;
};

}  // namespace mailer::cli
