#include "mailer/core/connection_share.hpp"

#include <algorithm>

namespace mailer::policy {

int fair_share(const fleet::SlotCensus& census) {
  return std::max(1, census.slots / std::max(1, census.hosts));
}

SlotMove slot_move(const fleet::SlotCensus& census) {
  const int share = fair_share(census);
  // A host that waits below its share has the first claim on a slot set free.
  const bool starved = std::any_of(census.waiting_others.begin(), census.waiting_others.end(),
                                   [share](int held) { return held < share; });
  if (census.free > 0 && census.mine < census.want && (census.mine < share || !starved))
    return SlotMove::take;
  if (census.free == 0 && census.mine > share && starved) return SlotMove::give_back;
  return SlotMove::stay;
}

}  // namespace mailer::policy
