#pragma once
// The fleet's smtp.connections toward one SMTP server (PostgreSQL): numbered slots, each a
// lock that the database drops with the process holding it, so that a dead host's slots are
// free at once. The sharing rule is core's (connection_share.hpp); this only takes, gives
// back and counts.
#include "mailer/base/records/connection_slots.hpp"

namespace mailer::store {

class ConnectionSlots {
 public:
  virtual ~ConnectionSlots() = default;
  // Takes a free slot: its number, or -1 when every slot is held.
  virtual int take() = 0;
  // Gives slot `slot` back (nothing when this object does not hold it).
  virtual void give_back(int slot) = 0;
  // Says whether this process waits for a slot: other processes see it in their census.
  virtual void set_waiting(bool waiting) = 0;
  // The processes sending to this server now, the slots free and held, and what each other
  // process that waits holds (SlotCensus::want is the caller's to fill in).
  virtual fleet::SlotCensus census() = 0;
};

}  // namespace mailer::store
