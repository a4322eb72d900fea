// base/unique_fd: every handle closed once, on every path.
#include "mailer/base/unique_fd.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/wait.h>

#include <cerrno>
#include <utility>

namespace {
bool is_open(int fd) { return ::fcntl(fd, F_GETFD) != -1 || errno != EBADF; }
}  // namespace

TEST_CASE("unique_fd: the descriptor is closed when its owner goes, and moves with it") {
  int raw = -1;
  {
    mailer::UniqueFd fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    REQUIRE(fd);
    raw = fd.get();
    mailer::UniqueFd moved(std::move(fd));
    CHECK_FALSE(fd);
    CHECK(moved.get() == raw);
    CHECK(is_open(raw));
  }
  CHECK_FALSE(is_open(raw));
  mailer::UniqueFd empty;
  CHECK_FALSE(empty);
  CHECK(empty.get() == -1);
}

TEST_CASE("unique_fd: release gives the descriptor up, close reports the result") {
  mailer::UniqueFd fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  const int raw = fd.release();
  CHECK_FALSE(fd);
  CHECK(is_open(raw));
  mailer::UniqueFd again(raw);
  CHECK(again.close() == 0);
  CHECK_FALSE(again);
  CHECK_FALSE(is_open(raw));
}

TEST_CASE("unique_fd: a pipe's close gives the command's exit status") {
  mailer::UniquePipe pipe(::popen("exit 3", "r"));
  REQUIRE(pipe);
  const int status = pipe.close();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 3);
  CHECK_FALSE(pipe);
  mailer::UniqueFile file(std::fopen("/nonexistent/x", "r"));
  CHECK_FALSE(file);
}
