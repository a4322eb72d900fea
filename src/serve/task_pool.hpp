#pragma once
// cpp-httplib's task queue, one task per connection: its own ThreadPool has a fixed few
// threads, and each holds a keep-alive connection for as long as it lives, so a thousand
// open connections would starve all but a few clients. This pool grows a thread whenever a
// connection arrives and none is idle, up to a cap; threads stay for the next burst.
#include <httplib.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace mailer::serve {

class TaskPool final : public httplib::TaskQueue {
 public:
  // `on_idle` runs on the accepting thread when no connection came for a while.
  TaskPool(std::size_t max_threads, std::function<void()> on_idle);
  ~TaskPool() override;
  void enqueue(std::function<void()> fn) override;
  void shutdown() override;
  void on_idle() override;

 private:
  void work();

  std::size_t max_threads_;
  std::function<void()> on_idle_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  std::size_t idle_ = 0;
  bool shutdown_ = false;
};

}  // namespace mailer::serve
