// Contract: the client store (clients, groups, memberships, import, export, case duplicates) of
// every store backend (SPEC §1, §2).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "store_backends.hpp"

using namespace mailer;

namespace {

ClientFields fields(const std::string& email, const std::string& name = "", const std::string& comment = "") {
  return ClientFields{email, name, comment};
}

std::vector<std::string> emails(const std::vector<Client>& clients) {
  std::vector<std::string> out;
  for (const auto& c : clients) out.push_back(c.email);
  return out;
}

constexpr Time kNow = 1'790'000'000;

}  // namespace

TEST_CASE_TEMPLATE("clients store: an added client reads back with its owner's email and groups", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::ClientStore& s = b.db().clients();
  const Id olga = b.seed_account("olga@example.com");
  const Id id = s.add_client(olga, fields("ivan@example.com", "Иван", "опт"), kNow);
  const Id g2 = s.add_group(olga, "Опт", kNow);
  const Id g1 = s.add_group(olga, "Бета", kNow);
  CHECK(s.add_members(g2, std::vector<Id>{id}) == 1);
  CHECK(s.add_members(g1, std::vector<Id>{id}) == 1);
  const auto c = s.client(id);
  REQUIRE(c);
  CHECK(c->owner == olga);
  CHECK(c->owner_email == "olga@example.com");
  CHECK(c->email == "ivan@example.com");
  CHECK(c->name == "Иван");
  CHECK(c->comment == "опт");
  CHECK(c->created_at == kNow);
  CHECK_FALSE(c->unsubscribed_at);
  CHECK(c->groups == std::vector<std::string>{"Бета", "Опт"});
  CHECK_FALSE(s.client(id + 1));
}

TEST_CASE_TEMPLATE("clients store: a client's owner is known, a missing client has none", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::ClientStore& s = b.db().clients();
  const Id olga = b.seed_account("olga@example.com");
  const Id id = s.add_client(olga, fields("a@example.com"), kNow);
  CHECK(s.client_owner(id) == olga);
  CHECK_FALSE(s.client_owner(id + 1));
}

TEST_CASE_TEMPLATE("clients store: an email differing only in case (any script) or IDN form is taken",
                   Backend, MAILER_STORE_BACKENDS) {
  Backend b;
  store::ClientStore& s = b.db().clients();
  const Id olga = b.seed_account("olga@example.com");
  const Id petr = b.seed_account("petr@example.com");
  const Id id = s.add_client(olga, fields("олег@пример.рф"), kNow);
  CHECK(s.email_taken(olga, "ОЛЕГ@пример.рф", 0) == "олег@пример.рф");
  CHECK(s.email_taken(olga, "олег@xn--e1afmkfd.xn--p1ai", 0) == "олег@пример.рф");
  CHECK_FALSE(s.email_taken(olga, "олег@пример.рф", id));  // the client itself
  CHECK_FALSE(s.email_taken(petr, "олег@пример.рф", 0));   // per owner
  CHECK_FALSE(s.email_taken(olga, "ольга@пример.рф", 0));
}

TEST_CASE_TEMPLATE("clients store: an update rewrites the address, its key, name and comment", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::ClientStore& s = b.db().clients();
  const Id olga = b.seed_account("olga@example.com");
  const Id id = s.add_client(olga, fields("old@example.com", "Старое", "x"), kNow);
  s.update_client(id, fields("New@example.com", "Новое", ""));
  const auto c = s.client(id);
  REQUIRE(c);
  CHECK(c->email == "New@example.com");
  CHECK(c->name == "Новое");
  CHECK(c->comment == "");
  CHECK(s.email_taken(olga, "new@EXAMPLE.com", 0) == "New@example.com");
  CHECK_FALSE(s.email_taken(olga, "old@example.com", 0));
}

TEST_CASE_TEMPLATE("clients store: removed clients are gone with their memberships", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::ClientStore& s = b.db().clients();
  const Id olga = b.seed_account("olga@example.com");
  const Id a = s.add_client(olga, fields("a@example.com"), kNow);
  const Id c = s.add_client(olga, fields("c@example.com"), kNow);
  const Id kept = s.add_client(olga, fields("k@example.com"), kNow);
  const Id g = s.add_group(olga, "Все", kNow);
  s.add_members(g, std::vector<Id>{a, c, kept});
  s.remove_clients(std::vector<Id>{a, c});
  CHECK_FALSE(s.client(a));
  CHECK_FALSE(s.client(c));
  CHECK(s.client(kept));
  CHECK(s.group(g)->members == 1);
}

TEST_CASE_TEMPLATE("clients store: a listing selects by owner, group, group name and folded search", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::ClientStore& s = b.db().clients();
  const Id olga = b.seed_account("olga@example.com");
  const Id petr = b.seed_account("petr@example.com");
  const Id a = s.add_client(olga, fields("a@example.com", "Пётр Ёлкин"), kNow);
  const Id c = s.add_client(olga, fields("c@example.com", "", "ОПТОВИК"), kNow);
  const Id p = s.add_client(petr, fields("p@example.com"), kNow);
  const Id og = s.add_group(olga, "Покупатели", kNow);
  const Id pg = s.add_group(petr, "покупатели", kNow);
  s.add_members(og, std::vector<Id>{a});
  s.add_members(pg, std::vector<Id>{p});

  CHECK(emails(s.list_clients({})) ==
        std::vector<std::string>{"a@example.com", "c@example.com", "p@example.com"});
  store::ClientQuery mine;
  mine.owner = olga;
  CHECK(emails(s.list_clients(mine)) == std::vector<std::string>{"a@example.com", "c@example.com"});
  store::ClientQuery group;
  group.group = og;
  CHECK(emails(s.list_clients(group)) == std::vector<std::string>{"a@example.com"});
  store::ClientQuery named;
  named.group_name = "ПОКУПАТЕЛИ";
  CHECK(emails(s.list_clients(named)) == std::vector<std::string>{"a@example.com", "p@example.com"});
  store::ClientQuery search;
  search.owner = olga;
  search.search = "елкин";
  CHECK(emails(s.list_clients(search)) == std::vector<std::string>{"a@example.com"});
  search.search = "оптов";
  CHECK(emails(s.list_clients(search)) == std::vector<std::string>{"c@example.com"});
  search.search = "C@EXAMPLE";
  CHECK(emails(s.list_clients(search)) == std::vector<std::string>{"c@example.com"});
  CHECK(s.list_clients(search).front().id == c);
}

TEST_CASE_TEMPLATE("clients store: an export streams one owner's clients, or a group's, by id", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::ClientStore& s = b.db().clients();
  const Id olga = b.seed_account("olga@example.com");
  const Id petr = b.seed_account("petr@example.com");
  const Id a = s.add_client(olga, fields("a@example.com", "Анна", "=1+1"), kNow);
  s.add_client(olga, fields("b@example.com", "Борис"), kNow);
  s.add_client(petr, fields("p@example.com"), kNow);
  const Id g = s.add_group(olga, "Одна", kNow);
  s.add_members(g, std::vector<Id>{a});
  std::vector<std::string> rows;
  const auto collect = [&](const ClientFields& f) {
    rows.push_back(f.email + "|" + f.name + "|" + f.comment);
  };
  s.export_clients(olga, std::nullopt, collect);
  CHECK(rows == std::vector<std::string>{"a@example.com|Анна|=1+1", "b@example.com|Борис|"});
  rows.clear();
  s.export_clients(olga, g, collect);
  CHECK(rows == std::vector<std::string>{"a@example.com|Анна|=1+1"});
}

TEST_CASE_TEMPLATE("clients store: an import adds new addresses, updates known ones, and fills its group",
                   Backend, MAILER_STORE_BACKENDS) {
  Backend b;
  store::ClientStore& s = b.db().clients();
  const Id olga = b.seed_account("olga@example.com");
  const Id old = s.add_client(olga, fields("old@example.com", "Старое", "к"), kNow);
  const Id same = s.add_client(olga, fields("same@example.com", "Так", ""), kNow);
  const Id g = s.add_group(olga, "Импорт", kNow);
  store::Transaction tx(b.db());
  auto import = s.start_import(olga, g, kNow);
  CHECK(import->batch_size() > 0);
  // More rows than one batch, with a duplicate inside it and one across batches.
  std::vector<ClientFields> rows;
  for (int i = 0; i < 150; ++i) rows.push_back(fields("c" + std::to_string(i) + "@example.com", "Имя"));
  rows.push_back(fields("OLD@example.com", "Новое"));  // name changes, the empty comment keeps "к"
  rows.push_back(fields("same@example.com", "Так"));
  rows.push_back(fields("c1@example.com", "Другое"));
  rows.push_back(fields("C1@EXAMPLE.COM", ""));
  std::vector<RowOutcome> outcomes(rows.size());
  import->write(rows, outcomes);
  import->finish();
  tx.commit();
  for (int i = 0; i < 150; ++i) CHECK(outcomes[static_cast<std::size_t>(i)] == RowOutcome::added);
  CHECK(outcomes[150] == RowOutcome::updated);
  CHECK(outcomes[151] == RowOutcome::already_there);
  CHECK(outcomes[152] == RowOutcome::updated);
  CHECK(outcomes[153] == RowOutcome::already_there);
  CHECK(s.client(old)->name == "Новое");
  CHECK(s.client(old)->comment == "к");
  store::ClientQuery all;
  all.owner = olga;
  CHECK(s.list_clients(all).size() == 152);
  CHECK(s.group(g)->members == 152);
  CHECK(s.client(same)->groups == std::vector<std::string>{"Импорт"});
}

TEST_CASE_TEMPLATE("clients store: rows written one at a time count as in one call", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::ClientStore& s = b.db().clients();
  const Id olga = b.seed_account("olga@example.com");
  store::Transaction tx(b.db());
  auto import = s.start_import(olga, std::nullopt, kNow);
  std::vector<RowOutcome> seen;
  for (const char* email : {"a@example.com", "b@example.com", "A@example.com", "b@example.com"}) {
    const std::vector<ClientFields> row{fields(email, "x")};
    std::vector<RowOutcome> outcome(1);
    import->write(row, outcome);
    seen.push_back(outcome[0]);
  }
  import->finish();
  tx.commit();
  CHECK(seen == std::vector<RowOutcome>{RowOutcome::added, RowOutcome::added, RowOutcome::already_there,
                                        RowOutcome::already_there});
}

TEST_CASE_TEMPLATE("clients store: an import rolled back leaves nothing", Backend, MAILER_STORE_BACKENDS) {
  Backend b;
  store::ClientStore& s = b.db().clients();
  const Id olga = b.seed_account("olga@example.com");
  {
    store::Transaction tx(b.db());
    auto import = s.start_import(olga, std::nullopt, kNow);
    const std::vector<ClientFields> rows{fields("a@example.com")};
    std::vector<RowOutcome> outcomes(1);
    import->write(rows, outcomes);
  }
  CHECK(s.list_clients({}).empty());
}

TEST_CASE_TEMPLATE("clients store: the first id that is not the owner's client is named, a missing one too",
                   Backend, MAILER_STORE_BACKENDS) {
  Backend b;
  store::ClientStore& s = b.db().clients();
  const Id ann = b.seed_account("ann@example.com");
  const Id petr = b.seed_account("petr@example.com");
  const Id a1 = s.add_client(ann, fields("a1@example.com"), kNow);
  const Id a2 = s.add_client(ann, fields("a2@example.com"), kNow);
  const Id p1 = s.add_client(petr, fields("p1@example.com"), kNow);
  const Id none = p1 + 100;
  CHECK_FALSE(s.first_not_owned(ann, std::vector<Id>{a1, a2}));
  CHECK_FALSE(s.first_not_owned(ann, {}));
  CHECK(s.first_not_owned(ann, std::vector<Id>{a1, p1, none}) == std::optional<Id>(p1));
  CHECK(s.first_not_owned(ann, std::vector<Id>{a2, none, p1}) == std::optional<Id>(none));
  CHECK(s.first_not_owned(petr, std::vector<Id>{p1, a1}) == std::optional<Id>(a1));
}

TEST_CASE_TEMPLATE("clients store: the owner's client with an address is found, ASCII case folded", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::ClientStore& s = b.db().clients();
  const Id ann = b.seed_account("ann@example.com");
  const Id petr = b.seed_account("petr@example.com");
  const Id a = s.add_client(ann, fields("a@example.com", "Анна"), kNow);
  const Id p = s.add_client(petr, fields("a@example.com"), kNow);
  const Id oleg = s.add_client(ann, fields("олег@пример.рф"), kNow);
  auto found = s.find_by_email(ann, "a@example.com");
  REQUIRE(found);
  CHECK(found->id == a);
  CHECK(found->email == "a@example.com");
  CHECK(found->name == "Анна");
  CHECK(s.find_by_email(petr, "a@example.com")->id == p);
  CHECK(s.find_by_email(ann, "A@Example.COM")->id == a);
  CHECK(s.find_by_email(ann, "олег@пример.рф")->id == oleg);
  CHECK_FALSE(s.find_by_email(ann, "ОЛЕГ@пример.рф"));  // as stored otherwise, not by key
  CHECK_FALSE(s.find_by_email(petr, "b@example.com"));
}

TEST_CASE_TEMPLATE("clients store: a group is found ignoring case, its exact spelling first", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::ClientStore& s = b.db().clients();
  const Id olga = b.seed_account("olga@example.com");
  const Id petr = b.seed_account("petr@example.com");
  const Id first = s.add_group(olga, "Покупатели", kNow);
  CHECK(s.find_group(olga, "ПОКУПАТЕЛИ")->id == first);
  CHECK(s.find_group(olga, "ПОКУПАТЕЛИ")->name == "Покупатели");
  CHECK_FALSE(s.find_group(petr, "Покупатели"));
  CHECK_FALSE(s.find_group(olga, "Другие"));
  // Two that differ only in case, as migration 003 keeps them: each is reachable by its spelling.
  b.exec("INSERT INTO \"group\" (owner, name, name_key, key_dup, created_at) VALUES (" +
         std::to_string(olga) + ", 'покупатели', 'покупатели', 999, 0)");
  const Id later = s.find_group(olga, "покупатели")->id;
  CHECK(later != first);
  CHECK(s.find_group(olga, "Покупатели")->id == first);
  CHECK(s.find_group(olga, "ПОКУПАТЕЛИ")->id == first);
}

TEST_CASE_TEMPLATE("clients store: groups read back with their owner and members, listed by id", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::ClientStore& s = b.db().clients();
  const Id olga = b.seed_account("olga@example.com");
  const Id petr = b.seed_account("petr@example.com");
  const Id g = s.add_group(olga, "Опт", kNow);
  const Id p = s.add_group(petr, "Розница", kNow);
  const Id a = s.add_client(olga, fields("a@example.com"), kNow);
  s.add_members(g, std::vector<Id>{a});
  const auto group = s.group(g);
  REQUIRE(group);
  CHECK(group->owner == olga);
  CHECK(group->owner_email == "olga@example.com");
  CHECK(group->name == "Опт");
  CHECK(group->members == 1);
  CHECK(group->created_at == kNow);
  CHECK_FALSE(s.group(p + 1));
  const auto mine = s.list_groups(olga);
  REQUIRE(mine.size() == 1);
  CHECK(mine[0].id == g);
  const auto all = s.list_groups(std::nullopt);
  REQUIRE(all.size() == 2);
  CHECK(all[0].id == g);
  CHECK(all[1].id == p);
}

TEST_CASE_TEMPLATE("clients store: a removed group is gone, its members stay", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::ClientStore& s = b.db().clients();
  const Id olga = b.seed_account("olga@example.com");
  const Id kept = s.add_group(olga, "Опт", kNow);
  const Id free = s.add_group(olga, "Свободная", kNow);
  const Id a = s.add_client(olga, fields("a@example.com"), kNow);
  s.add_members(free, std::vector<Id>{a});
  s.remove_group(free);
  CHECK_FALSE(s.group(free));
  CHECK(s.group(kept));
  CHECK(s.client(a));
  CHECK(s.client(a)->groups.empty());
}

TEST_CASE_TEMPLATE("clients store: memberships count only what changed", Backend, MAILER_STORE_BACKENDS) {
  Backend b;
  store::ClientStore& s = b.db().clients();
  const Id olga = b.seed_account("olga@example.com");
  const Id g = s.add_group(olga, "Опт", kNow);
  const Id a = s.add_client(olga, fields("a@example.com"), kNow);
  const Id c = s.add_client(olga, fields("c@example.com"), kNow);
  CHECK(s.add_members(g, std::vector<Id>{a}) == 1);
  CHECK(s.add_members(g, std::vector<Id>{a, c}) == 1);
  CHECK(s.group(g)->members == 2);
  CHECK(s.remove_members(g, std::vector<Id>{a, a}) == 1);
  CHECK(s.remove_members(g, std::vector<Id>{a}) == 0);
  CHECK(s.group(g)->members == 1);
}

TEST_CASE_TEMPLATE("clients store: case duplicates are listed until marked reported", Backend,
                   MAILER_STORE_BACKENDS) {
  Backend b;
  store::ClientStore& s = b.db().clients();
  CHECK_FALSE(s.case_duplicates_waiting());
  const Id olga = b.seed_account("olga@example.com");
  const Id first = s.add_client(olga, fields("олег@example.com"), kNow);
  b.exec("INSERT INTO client (id, owner, email, email_key, key_dup, created_at) VALUES (100, " +
         std::to_string(olga) + ", 'ОЛЕГ@example.com', 'олег@example.com', 100, 0)");
  b.exec("INSERT INTO case_duplicate (kind, id, first) VALUES ('client', 100, " + std::to_string(first) +
         ")");
  CHECK(s.case_duplicates_waiting());
  const auto waiting = s.waiting_case_duplicates();
  REQUIRE(waiting.size() == 1);
  CHECK(waiting[0].kind == "client");
  CHECK(waiting[0].owner_email == "olga@example.com");
  CHECK(waiting[0].first == first);
  CHECK(waiting[0].first_text == "олег@example.com");
  CHECK(waiting[0].id == 100);
  CHECK(waiting[0].text == "ОЛЕГ@example.com");
  s.mark_case_duplicates_reported(kNow);
  CHECK_FALSE(s.case_duplicates_waiting());
  CHECK(s.waiting_case_duplicates().empty());
}
