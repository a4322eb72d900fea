#pragma once
// The repository of messages (subject and bodies). It checks no access and no template: core
// does, on the owners and texts it reads here.
#include <optional>
#include <span>
#include <vector>

#include "mailer/base/ids.hpp"
#include "mailer/base/records/messages.hpp"
#include "mailer/base/time.hpp"

namespace mailer::store {

class MessageStore {
 public:
  virtual ~MessageStore() = default;

  // The owner of message `id`; none when there is no such message.
  virtual std::optional<Id> owner_of(Id id) = 0;
  // Message `id` with its owner's email.
  virtual std::optional<Message> message(Id id) = 0;
  // `owner`'s messages, or everyone's when unset, by id.
  virtual std::vector<Message> list(std::optional<Id> owner) = 0;
  // Adds `m` (owner, subject, bodies, created_at; id and owner_email ignored); its id.
  virtual Id add(const Message& m) = 0;
  // Rewrites the subject and bodies of message `m.id`.
  virtual void update(const Message& m) = 0;
  // Removes the messages (none may be in use, see MailingStore::first_using_message: the
  // schema refuses it).
  virtual void remove(std::span<const Id> ids) = 0;
};

}  // namespace mailer::store
