#include "task_pool.hpp"

namespace mailer::serve {

TaskPool::TaskPool(std::size_t max_threads, std::function<void()> on_idle)
    : max_threads_(max_threads == 0 ? 1 : max_threads), on_idle_(std::move(on_idle)) {}

TaskPool::~TaskPool() { shutdown(); }

void TaskPool::enqueue(std::function<void()> fn) {
  std::lock_guard lock(mutex_);
  jobs_.push_back(std::move(fn));
  // Each queued job beyond the idle threads wants a thread of its own.
  if (jobs_.size() > idle_ && threads_.size() < max_threads_) {
    ++idle_;  // a starting thread is one more that will take a job
    threads_.emplace_back([this] { work(); });
  }
  ready_.notify_one();
}

void TaskPool::shutdown() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    shutdown_ = true;
    threads.swap(threads_);
  }
  ready_.notify_all();
  for (auto& t : threads) t.join();
}

void TaskPool::on_idle() {
  if (on_idle_) on_idle_();
}

void TaskPool::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    ready_.wait(lock, [&] { return !jobs_.empty() || shutdown_; });
    if (jobs_.empty()) return;  // shut down, nothing left
    std::function<void()> job = std::move(jobs_.front());
    jobs_.pop_front();
    --idle_;
    lock.unlock();
    job();
    lock.lock();
    ++idle_;
  }
}

}  // namespace mailer::serve
