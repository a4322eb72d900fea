#pragma once
// Group commit of tracking events under SQLite's single writer: request threads hand their
// event over and wait; one writer thread commits whatever has gathered meanwhile (up to a
// batch's worth) in one transaction, then wakes the waiters of that batch.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "mailer/base/records/events.hpp"
#include "mailer/store/database.hpp"

namespace mailer::serve {

class EventWriter {
 public:
  using Log = std::function<void(const std::string&)>;
  // `db` is the writer's own connection; `warn` hears of failed commits.
  EventWriter(std::unique_ptr<store::Database> db, Log warn, std::size_t max_batch = 1000);
  ~EventWriter();
  EventWriter(const EventWriter&) = delete;
  EventWriter& operator=(const EventWriter&) = delete;

  // Blocks until the event is committed (true) or its commit failed (false); false at once
  // after stop().
  bool record(NewEvent event);
  // Commits what is queued, then ends the writer thread.
  void stop();

 private:
  struct Batch;
  void run();
  void commit(Batch& batch);

  std::unique_ptr<store::Database> db_;
  Log warn_;
  std::size_t max_batch_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Batch>> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace mailer::serve
