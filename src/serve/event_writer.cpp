#include "mailer/serve/event_writer.hpp"

#include <exception>
#include <vector>

#include <fmt/format.h>

#include "mailer/base/error.hpp"

namespace mailer::serve {

struct EventWriter::Batch {
  std::vector<NewEvent> events;
  std::vector<char> ok;  // per event, set by the writer
  bool done = false;
  std::condition_variable committed;
};

EventWriter::EventWriter(std::unique_ptr<store::Database> db, Log warn, std::size_t max_batch)
    : db_(std::move(db)), warn_(std::move(warn)), max_batch_(max_batch == 0 ? 1 : max_batch) {
  thread_ = std::thread([this] { run(); });
}

EventWriter::~EventWriter() { stop(); }

bool EventWriter::record(NewEvent event) {
  std::unique_lock lock(mutex_);
  if (stopping_) return false;
  if (queue_.empty() || queue_.back()->events.size() >= max_batch_)
    queue_.push_back(std::make_shared<Batch>());
  std::shared_ptr<Batch> batch = queue_.back();
  std::size_t index = batch->events.size();
  batch->events.push_back(std::move(event));
  wake_.notify_one();
  batch->committed.wait(lock, [&] { return batch->done; });
  return batch->ok[index] != 0;
}

void EventWriter::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void EventWriter::run() {
  for (;;) {
    std::unique_lock lock(mutex_);
    wake_.wait(lock, [&] { return !queue_.empty() || stopping_; });
    if (queue_.empty()) return;  // stopping, and all committed
    // Taken off the queue first, so that no request adds to a batch being committed: the
    // requests that come meanwhile gather in the next one.
    std::shared_ptr<Batch> batch = queue_.front();
    queue_.pop_front();
    lock.unlock();
    commit(*batch);
    lock.lock();
    batch->done = true;
    batch->committed.notify_all();
  }
}

void EventWriter::commit(Batch& batch) {
  auto attempt = [&](const std::vector<NewEvent>& events) {
    store::Transaction tx(*db_);
    db_->events().add_events(events);
    tx.commit();
  };
  batch.ok.assign(batch.events.size(), 0);
  try {
    attempt(batch.events);
    batch.ok.assign(batch.events.size(), 1);
    return;
  } catch (const Error& e) {
    warn_(fmt::format("could not record {} events: {}", batch.events.size(), e.what()));
    // A busy database stays busy for the next try too: those requests get 503 at once.
    if (e.code() == Errc::temp_failure) return;
  } catch (const std::exception& e) {
    warn_(fmt::format("could not record {} events: {}", batch.events.size(), e.what()));
  }
  // One bad event (its client deleted since its token was looked up, say) must not cost the
  // others of its batch: each alone.
  if (batch.events.size() == 1) return;
  for (std::size_t i = 0; i < batch.events.size(); ++i) {
    try {
      attempt({batch.events[i]});
      batch.ok[i] = 1;
    } catch (const std::exception&) {
    }
  }
}

}  // namespace mailer::serve
