#pragma once
// How the hosts of a fleet share smtp.connections toward one SMTP server: each takes free
// slots, and one that holds more than its fair share gives one back while another host waits
// below it. Pure: the store counts, the transport's gate opens and closes.
#include "mailer/base/records/connection_slots.hpp"

namespace mailer::policy {

// slots / hosts, at least 1: with more hosts than slots, some of them wait.
int fair_share(const fleet::SlotCensus& census);

enum class SlotMove : unsigned char { stay, take, give_back };

// What this host does next: takes a free slot while it wants one and does not starve a host
// waiting below its share; gives one back when every slot is held, it holds more than its
// share and another host waits below it.
SlotMove slot_move(const fleet::SlotCensus& census);

}  // namespace mailer::policy
