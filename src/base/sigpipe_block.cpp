#include "mailer/base/sigpipe_block.hpp"

#include <pthread.h>

#include <ctime>

namespace mailer {

SigpipeBlock::SigpipeBlock() {
  sigemptyset(&pipe_);
  sigaddset(&pipe_, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
}

SigpipeBlock::~SigpipeBlock() {
  if (sigismember(&old_, SIGPIPE)) return;  // it was blocked before us: not ours to clear
  const timespec zero{};
  while (sigtimedwait(&pipe_, nullptr, &zero) == SIGPIPE) {
  }
  pthread_sigmask(SIG_SETMASK, &old_, nullptr);
}

}  // namespace mailer
