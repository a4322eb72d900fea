#pragma once
// What a host of a fleet sees of the smtp.connections slots toward one SMTP server, as the
// store counts them (PostgreSQL) and the sharing rule (core/connection_share.hpp) reads them.
#include <vector>

namespace mailer::fleet {

struct SlotCensus {
  int slots = 0;                    // smtp.connections: of the whole fleet
  int hosts = 1;                    // processes sending to the server now, this one included
  int free = 0;                     // slots no process holds
  int mine = 0;                     // slots this process holds
  int want = 0;                     // connections this process would open
  std::vector<int> waiting_others;  // the slots of each other process that waits for one
};

}  // namespace mailer::fleet
