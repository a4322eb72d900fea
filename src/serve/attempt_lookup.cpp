#include "attempt_lookup.hpp"

#include <functional>
#include <thread>

namespace mailer::serve {
namespace {

constexpr std::size_t kCacheMax = 200000;  // about 10 MB; cleared when full

}  // namespace

AttemptLookup::AttemptLookup(const Open& open, std::size_t connections) {
  for (std::size_t i = 0; i < (connections == 0 ? 1 : connections); ++i) {
    auto reader = std::make_unique<Reader>();
    reader->db = open();
    readers_.push_back(std::move(reader));
  }
}

std::optional<DeliveredAttempt> AttemptLookup::find(Id run, Id client) {
  const std::pair<Id, Id> k{run, client};
  {
    std::shared_lock lock(cache_mutex_);
    if (auto it = cache_.find(k); it != cache_.end()) return it->second;
  }
  Reader& reader = *readers_[std::hash<std::thread::id>{}(std::this_thread::get_id()) % readers_.size()];
  std::optional<DeliveredAttempt> found;
  {
    std::lock_guard lock(reader.mutex);
    found = reader.db->events().delivered_attempt(run, client);
  }
  if (found) {
    std::unique_lock lock(cache_mutex_);
    if (cache_.size() >= kCacheMax) cache_.clear();
    cache_.emplace(k, *found);
  }
  return found;
}

}  // namespace mailer::serve
