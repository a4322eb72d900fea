#pragma once
// The SQL drivers' repository of mailings, their schedule and their recipients (clients and groups).
#include <string_view>

#include "mailer/store/mailings.hpp"
#include "mailer/store/sql/connection.hpp"

namespace mailer::store::sql {

class SqlMailingStore final : public MailingStore {
 public:
  explicit SqlMailingStore(SqlConnection& db) : db_(db) {}

  std::optional<Id> owner_of(Id id) override;
  std::optional<Mailing> mailing(Id id) override;
  std::vector<Mailing> list(std::optional<Id> owner) override;
  Id add(const Mailing& m) override;
  void update(const Mailing& m) override;
  void set_recipients(Id id, std::span<const Id> clients, std::span<const Id> group_ids) override;
  std::optional<Id> first_using_message(Id message) override;
  std::optional<GroupUser> first_using_group(Id group) override;
  void stop(Id id, Time now) override;
  void set_enabled(Id id, bool enabled) override;
  void remove(std::span<const Id> ids) override;
  std::vector<DueMailing> due(Time now) override;
  std::optional<schedule::Status> status(Id id) override;
  void mark_running(Id id) override;
  void mark_running_next(Id id, std::optional<Time> next_run_at) override;
  void end_schedule(Id id) override;
  void finish_idle(Time now) override;

  // mailing_summary.cpp
  std::vector<MailingSummary> summaries(std::optional<Id> owner) override;
  std::optional<MailingSummary> summary(Id id) override;

 private:
  // The mailings kMailingSelect + `where` selects (one parameter, `key`, or none), each with
  // its recipients, read for all of them in two more statements rather than two per mailing.
  std::vector<Mailing> select(const char* where, std::optional<Id> key);
  // The summaries of the mailings `scope` (a condition on `m` with at most the parameter ?1,
  // `key`) selects, by id (mailing_summary.cpp).
  std::vector<MailingSummary> summarize(std::string_view scope, std::optional<Id> key);

  SqlConnection& db_;
};

}  // namespace mailer::store::sql
