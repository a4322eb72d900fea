#include "mailer/store/database.hpp"

namespace mailer::store {

Transaction::Transaction(Database& db, bool immediate) : db_(db) { db_.begin(immediate); }

Transaction::~Transaction() {
  if (open_) db_.rollback();
}

void Transaction::commit() {
  db_.commit();
  open_ = false;
}

}  // namespace mailer::store
