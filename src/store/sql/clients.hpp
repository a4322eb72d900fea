#pragma once
// The SQL drivers' repository of clients and the groups they belong to: clients.cpp (clients and the
// export), clients_groups.cpp (groups, memberships, case duplicates), clients_import.cpp
// (the bulk path of the import).
#include "mailer/store/clients.hpp"
#include "mailer/store/sql/connection.hpp"

namespace mailer::store::sql {

class SqlClientStore final : public ClientStore {
 public:
  explicit SqlClientStore(SqlConnection& db) : db_(db) {}

  std::optional<Id> client_owner(Id id) override;
  std::optional<Client> client(Id id) override;
  std::optional<std::string> email_taken(Id owner, std::string_view email, Id except) override;
  Id add_client(Id owner, const ClientFields& fields, Time now) override;
  void update_client(Id id, const ClientFields& fields) override;
  void remove_clients(std::span<const Id> ids) override;
  std::vector<Client> list_clients(const ClientQuery& query) override;
  void export_clients(Id owner, std::optional<Id> group,
                      const std::function<void(const ClientFields&)>& row) override;
  std::unique_ptr<ClientImport> start_import(Id owner, std::optional<Id> group, Time now) override;
  std::optional<Id> first_not_owned(Id owner, std::span<const Id> ids) override;
  std::optional<ClientContact> find_by_email(Id owner, std::string_view email) override;

  std::optional<GroupName> find_group(Id owner, std::string_view name) override;
  Id add_group(Id owner, std::string_view name, Time now) override;
  std::optional<Group> group(Id id) override;
  std::vector<Group> list_groups(std::optional<Id> owner) override;
  void remove_group(Id id) override;
  std::size_t add_members(Id id, std::span<const Id> clients) override;
  std::size_t remove_members(Id id, std::span<const Id> clients) override;

  bool case_duplicates_waiting() override;
  std::vector<CaseDuplicate> waiting_case_duplicates() override;
  void mark_case_duplicates_reported(Time now) override;

  bool unsubscribe_client(Id id, Time at, std::string_view via) override;
  bool resubscribe_client(Id id) override;
  bool suppress_client(Id id, Time at, std::string_view reason) override;
  bool unsuppress_client(Id id, Time at) override;

 private:
  SqlConnection& db_;
};

// The import's writer (clients_import.cpp).
std::unique_ptr<ClientImport> make_client_import(SqlConnection& db, Id owner, std::optional<Id> group,
                                                 Time now);

}  // namespace mailer::store::sql
