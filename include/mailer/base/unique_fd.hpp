#pragma once
// Owners of the C handles mailer opens: a file descriptor, a FILE* and a popen(3) pipe, each
// closed exactly once, on every path out (std::unique_ptr cannot hold an int, nor give pclose's
// status back).
#include <sys/types.h>
#include <unistd.h>

#include <cstdio>
#include <utility>

namespace mailer {

// One file descriptor; -1 when empty.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  // The descriptor, still owned.
  int get() const noexcept { return fd_; }
  // True when a descriptor is held.
  explicit operator bool() const noexcept { return fd_ >= 0; }
  // Gives the descriptor up without closing it.
  int release() noexcept { return std::exchange(fd_, -1); }
  // Closes the one held (its error ignored: nothing was written, or it was checked) and holds `fd`.
  void reset(int fd = -1) noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }
  // Closes it now, for a caller that must know whether the close failed (a written file):
  // ::close's result, errno set.
  int close() noexcept { return ::close(release()); }

 private:
  int fd_ = -1;
};

// One FILE* from fopen(3); closed by fclose.
class UniqueFile {
 public:
  explicit UniqueFile(std::FILE* file) noexcept : file_(file) {}
  ~UniqueFile() {
    if (file_) std::fclose(file_);
  }
  UniqueFile(const UniqueFile&) = delete;
  UniqueFile& operator=(const UniqueFile&) = delete;

  // The stream, still owned; nullptr when fopen failed.
  std::FILE* get() const noexcept { return file_; }
  // True when a stream is held.
  explicit operator bool() const noexcept { return file_ != nullptr; }

 private:
  std::FILE* file_;
};

// One pipe from popen(3). close() waits for the command and gives its status; the destructor
// does the same when an exception left close() uncalled.
class UniquePipe {
 public:
  explicit UniquePipe(std::FILE* pipe) noexcept : pipe_(pipe) {}
  ~UniquePipe() {
    if (pipe_) ::pclose(pipe_);
  }
  UniquePipe(const UniquePipe&) = delete;
  UniquePipe& operator=(const UniquePipe&) = delete;

  // The stream, still owned; nullptr when popen failed.
  std::FILE* get() const noexcept { return pipe_; }
  // True when a pipe is held.
  explicit operator bool() const noexcept { return pipe_ != nullptr; }
  // pclose(3): the command's wait status, or -1.
  int close() noexcept { return ::pclose(std::exchange(pipe_, nullptr)); }

 private:
  std::FILE* pipe_;
};

}  // namespace mailer
