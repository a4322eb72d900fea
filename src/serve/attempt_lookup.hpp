#pragma once
// Token -> delivered attempt, for the request threads: a cache of the attempts found, and
// a few read connections of their own beside the writer's (WAL readers never wait for it).
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "mailer/base/records/events.hpp"
#include "mailer/store/database.hpp"

namespace mailer::serve {

class AttemptLookup {
 public:
  using Open = std::function<std::unique_ptr<store::Database>()>;
  AttemptLookup(const Open& open, std::size_t connections);

  // The recipient's delivered attempt in that run; none when it got nothing (not cached:
  // a deferred recipient may be sent to later).
  std::optional<DeliveredAttempt> find(Id run, Id client);

 private:
  struct Reader {
    std::mutex mutex;
    std::unique_ptr<store::Database> db;
  };
  std::vector<std::unique_ptr<Reader>> readers_;
  std::shared_mutex cache_mutex_;
  struct KeyHash {
    std::size_t operator()(const std::pair<Id, Id>& k) const noexcept {
      return static_cast<std::size_t>(static_cast<std::uint64_t>(k.first) * 0x9E3779B97F4A7C15ULL ^
                                      static_cast<std::uint64_t>(k.second));
    }
  };
  // Key: run and client; a recipient is sent to once per run, so an entry never changes.
  std::unordered_map<std::pair<Id, Id>, DeliveredAttempt, KeyHash> cache_;
};

}  // namespace mailer::serve
