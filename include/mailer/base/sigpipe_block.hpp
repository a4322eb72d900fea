#pragma once
// Keeps SIGPIPE from a write to a closed connection or pipe (TLS writes may not use
// MSG_NOSIGNAL; a child such as crontab may exit before it reads) away from this thread while
// it lives: the write fails with EPIPE instead of killing the process, and a SIGPIPE raised
// meanwhile is consumed. Thread-directed, so it leaves the process's disposition alone (a CLI
// still dies quietly on a closed stdout pipe).
#include <signal.h>

namespace mailer {

class SigpipeBlock {
 public:
  SigpipeBlock();
  ~SigpipeBlock();
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t pipe_{};
  sigset_t old_{};
};

}  // namespace mailer
