// sync end to end against dataverse-sim: a full read, then only changes and
// deletions (contacts, users, queues), the users' filtering methods applied
// to every cached user, a full read again when a delta token has expired or
// with --full, and the sweep of what the CRM no longer has after a full read.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <thread>

#include "cli/exit_codes.h"
#include "storage/store.h"
#include "tests/cli/cli_harness.h"
#include "tests/core/crm/sim_harness.h"

namespace crmr::test {
namespace {

bool has_record(const std::string& db, const std::string& address) {
  auto store = Store::open(db, OpenMode::ReadOnly);
  return store && !(*store)->records_by_address(address).empty();
}

// The one cached record with `address` (a default RecordRef when there is none).
RecordRef record(const std::string& db, const std::string& address) {
  auto store = Store::open(db, OpenMode::ReadOnly);
  if (!store) return {};
  auto found = (*store)->records_by_address(address);
  EXPECT_LE(found.size(), 1u) << address;
  return found.empty() ? RecordRef{} : found[0];
}

// Makes the stored delta link of `entity` one the simulator says has expired:
// its $deltatoken is VERSION!ISSUED (unix seconds), issued now set to 1970.
void expire_delta_link(const std::string& db, const std::string& entity) {
  auto store = Store::open(db, OpenMode::ReadWrite);
  ASSERT_TRUE(store);
  auto link = (*store)->state_get("sync.delta." + entity);
  ASSERT_TRUE(link && *link) << "no delta link for " << entity;
  std::string value = **link;
  auto bang = value.find("%21");
  ASSERT_NE(bang, std::string::npos) << value;
  ASSERT_TRUE((*store)->state_set("sync.delta." + entity, value.substr(0, bang) + "%211"));
}

bool says(const CliResult& r, const std::string& line) {
  return r.out.find(line + "\n") != std::string::npos;
}

constexpr char kMegan[] = "2bb7e5ad-017d-5e87-9bf7-2144828d5c8b";
constexpr char kDiego[] = "7523893b-4b32-52cb-b2de-34731038d26f";
constexpr char kLynne[] = "ea460375-bded-5604-9388-1d61e07cbaad";
constexpr char kAlex[] = "49a27ce2-8eaf-5b37-86e1-0d23126692a3";
constexpr char kSupport[] = "9aa2c38b-9e43-5e6b-bc3e-087113180a46";
constexpr char kSales[] = "c5a85d5f-0393-5631-92aa-96c58259a615";
constexpr char kOmar[] = "4b7d6e19-168c-527f-a5da-dbeb27468f99";

class SyncSimCase : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GT(sim_.port(), 0);
    db_ = dir_.file("s.db");
    config_ = dir_.write("crm.toml", "db = \"" + db_ + "\"\n" + sim_.crm_toml());
  }
  CliResult sync(std::vector<std::string> args = {}) {
    args.insert(args.begin(), {"--config", config_, "--no-progress"});
    if (std::find(args.begin(), args.end(), "sync") == args.end()) args.push_back("sync");
    auto r = run_cli(args);
    EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
    return r;
  }
  void crm(const std::string& method, const std::string& path, const std::string& body = {}) {
    auto r = sim_.call(method, "/api/data/v9.2/" + path, body);
    ASSERT_LT(r.status, 300) << method << " " << path << ": " << r.body;
  }

  Sim sim_{{"--seed", source_path("demo/cache.jsonl")}};
  TempDir dir_;
  std::string db_, config_;
};

TEST(SyncSim, FullReadThenDeltaThenExpiredToken) {
  Sim sim({"--seed", source_path("demo/cache.jsonl"), "--delta-token-ttl", "3"});
  ASSERT_GT(sim.port(), 0);
  TempDir dir;
  std::string db = dir.file("s.db");
  std::string config = dir.write("crm.toml", "db = \"" + db + "\"\n" + sim.crm_toml());

  auto first = run_cli({"--config", config, "sync"});
  ASSERT_EQ(first.code, kExitOk) << first.out << first.err;
  EXPECT_NE(first.out.find("contact: 8 read (full read)"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("systemuser: 5 read"), std::string::npos) << first.out;
  EXPECT_TRUE(has_record(db, "jane.doe@fabrikam.example"));
  {
    auto store = Store::open(db, OpenMode::ReadOnly);
    ASSERT_TRUE(store);
    EXPECT_EQ((*store)->org().tracking_prefixes.size(), 2u);
    auto users = (*store)->records_by_address("adele.vance@contoso.example");
    ASSERT_EQ(users.size(), 1u);
    EXPECT_EQ(users[0].filtering_method, 1);
    auto tracked = (*store)->tracked_by_token("CRM:0001001");
    ASSERT_TRUE(tracked);
    EXPECT_EQ(tracked->regarding_entity, "opportunity");
  }

  // Changes in the CRM: a new contact, a changed address, a deletion.
  auto seeded = sim.call("POST", "/_sim/seed",
                         R"({"entity": "contact", "contactid": "aaaaaaaa-0000-0000-0000-000000000001", "fullname": "New Person", "emailaddress1": "new.person@fabrikam.example", "statecode": 0})"
                         "\n");
  ASSERT_EQ(seeded.status, 200) << seeded.body;
  auto del = sim.call("DELETE", "/api/data/v9.2/contacts(4b7d6e19-168c-527f-a5da-dbeb27468f99)");
  ASSERT_LT(del.status, 300) << del.body;

  auto second = run_cli({"--config", config, "sync"});
  ASSERT_EQ(second.code, kExitOk) << second.out << second.err;
  EXPECT_NE(second.out.find("contact: 1 read, 1 deleted (changes only)"), std::string::npos) << second.out;
  EXPECT_TRUE(has_record(db, "new.person@fabrikam.example"));
  EXPECT_FALSE(has_record(db, "omar.haddad@fabrikam.example"));

  std::this_thread::sleep_for(std::chrono::seconds(4));
  auto third = run_cli({"--config", config, "sync", "--only", "contact"});
  ASSERT_EQ(third.code, kExitOk) << third.out << third.err;
  EXPECT_NE(third.out.find("contact: 8 read (full read)"), std::string::npos) << third.out;
}

TEST_F(SyncSimCase, UsersAndQueuesReadOnlyTheirChanges) {
  auto first = sync();
  EXPECT_TRUE(says(first, "systemuser: 5 read (full read)")) << first.out;
  EXPECT_TRUE(says(first, "queue: 2 read (full read)")) << first.out;
  EXPECT_EQ(record(db_, "lynne.robbins@contoso.example").filtering_method, 3);
  EXPECT_EQ(record(db_, "sales@contoso.example").filtering_method, 2);

  crm("PATCH", std::string("systemusers(") + kMegan + ")", R"({"fullname": "Megan Bowen-Reyes"})");
  crm("PATCH", std::string("queues(") + kSupport + ")", R"({"incomingemailfilteringmethod": 3})");
  crm("DELETE", std::string("systemusers(") + kDiego + ")");
  crm("DELETE", std::string("queues(") + kSales + ")");

  auto second = sync();
  EXPECT_TRUE(says(second, "systemuser: 1 read, 1 deleted (changes only)")) << second.out;
  EXPECT_TRUE(says(second, "queue: 1 read, 1 deleted (changes only)")) << second.out;
  EXPECT_TRUE(says(second, "contact: 0 read (changes only)")) << second.out;
  RecordRef megan = record(db_, "megan.bowen@contoso.example");
  EXPECT_EQ(megan.name, "Megan Bowen-Reyes");
  EXPECT_EQ(megan.filtering_method, 0);  // from usersettingscollection, not the systemuser row
  EXPECT_EQ(record(db_, "support@contoso.example").filtering_method, 3);
  EXPECT_FALSE(has_record(db_, "diego.siciliani@contoso.example"));
  EXPECT_FALSE(has_record(db_, "sales@contoso.example"));
  EXPECT_TRUE(has_record(db_, "adele.vance@contoso.example"));
}

TEST_F(SyncSimCase, AFilteringMethodChangedAloneReachesTheCachedUser) {
  sync();
  // usersettingscollection is not change-tracked; the systemuser row is unchanged.
  crm("PATCH", std::string("usersettingscollection(") + kLynne + ")",
      R"({"incomingemailfilteringmethod": 0})");
  auto r = sync({"sync", "--only", "systemuser"});
  EXPECT_TRUE(says(r, "systemuser: 0 read, 1 filtering method changed (changes only)")) << r.out;
  RecordRef lynne = record(db_, "lynne.robbins@contoso.example");
  EXPECT_EQ(lynne.filtering_method, 0);
  EXPECT_EQ(lynne.name, "Lynne Robbins");
  auto again = sync({"sync", "--only", "systemuser"});
  EXPECT_TRUE(says(again, "systemuser: 0 read (changes only)")) << again.out;
}

TEST_F(SyncSimCase, AnExpiredUserTokenIsAFullReadThatSweepsUsersDeletedMeanwhile) {
  sync();
  crm("DELETE", std::string("systemusers(") + kAlex + ")");
  expire_delta_link(db_, "systemuser");
  auto r = sync({"sync", "--only", "systemuser", "--only", "queue"});
  EXPECT_TRUE(says(r, "systemuser: 4 read, 1 deleted (full read)")) << r.out;
  EXPECT_TRUE(says(r, "queue: 0 read (changes only)")) << r.out;
  EXPECT_FALSE(has_record(db_, "alex.wilber@contoso.example"));
  EXPECT_EQ(record(db_, "adele.vance@contoso.example").filtering_method, 1);
  // The full read kept a new delta link.
  auto again = sync({"sync", "--only", "systemuser"});
  EXPECT_TRUE(says(again, "systemuser: 0 read (changes only)")) << again.out;
}

TEST_F(SyncSimCase, FullReadsMakeTheCrmAuthoritative) {
  // A record loaded by `cache import` that the CRM does not have.
  std::string extra = dir_.write(
      "extra.jsonl",
      R"({"entity": "contact", "contactid": "bbbbbbbb-0000-0000-0000-000000000001", "fullname": "Only Local", "emailaddress1": "only.local@example.org"})"
      "\n");
  auto imported = run_cli({"--config", config_, "cache", "import", extra});
  ASSERT_EQ(imported.code, kExitOk) << imported.out << imported.err;
  ASSERT_TRUE(has_record(db_, "only.local@example.org"));

  auto first = sync();
  EXPECT_TRUE(says(first, "contact: 8 read, 1 deleted (full read)")) << first.out;
  EXPECT_FALSE(has_record(db_, "only.local@example.org"));

  crm("DELETE", std::string("contacts(") + kOmar + ")");
  auto full = sync({"sync", "--full", "--only", "contact"});
  EXPECT_TRUE(says(full, "contact: 7 read, 1 deleted (full read)")) << full.out;
  EXPECT_FALSE(has_record(db_, "omar.haddad@fabrikam.example"));
  EXPECT_TRUE(has_record(db_, "jane.doe@fabrikam.example"));
  auto after = sync({"sync", "--only", "contact"});
  EXPECT_TRUE(says(after, "contact: 0 read (changes only)")) << after.out;
}

bool has_tracked(const std::string& db, const std::string& token) {
  auto store = Store::open(db, OpenMode::ReadOnly);
  return store && (*store)->tracked_by_token(token);
}

TEST_F(SyncSimCase, TrackedEmailsDeletedInTheCrmLeaveTheCacheOnAFullRead) {
  auto first = sync();
  EXPECT_TRUE(says(first, "email: 9 read (full read)")) << first.out;
  ASSERT_TRUE(has_tracked(db_, "CRM:0001001"));

  crm("DELETE", "emails(36bc0689-307e-5191-94d7-8ac236df0eec)");  // CRM:0001001
  // The modifiedon watermark cannot see a deletion...
  auto changes = sync({"sync", "--only", "email"});
  EXPECT_TRUE(has_tracked(db_, "CRM:0001001"));
  // ...a full read can: what it did not return leaves the cache, in one step.
  auto dry = sync({"--dry-run", "sync", "--full", "--only", "email"});
  EXPECT_TRUE(says(dry, "email: 8 read, 1 deleted (full read)")) << dry.out;
  EXPECT_TRUE(has_tracked(db_, "CRM:0001001"));
  auto full = sync({"sync", "--full", "--only", "email"});
  EXPECT_TRUE(says(full, "email: 8 read, 1 deleted (full read)")) << full.out;
  EXPECT_FALSE(has_tracked(db_, "CRM:0001001"));
  EXPECT_TRUE(has_tracked(db_, "CRM:0002001"));
}

TEST(SyncSim, AFullReadOfNoEmailsSweepsEveryCachedOne) {
  // The demo cache imported (9 tracked e-mails); the CRM has its records but no e-mail.
  TempDir dir;
  std::ifstream demo(source_path("demo/cache.jsonl"));
  std::string line, no_emails;
  while (std::getline(demo, line))
    if (line.find("\"entity\": \"email\"") == std::string::npos) no_emails += line + "\n";
  Sim sim({"--seed", dir.write("no-emails.jsonl", no_emails)});
  ASSERT_GT(sim.port(), 0);
  std::string db = dir.file("s.db");
  std::string config = dir.write("crm.toml", "db = \"" + db + "\"\n" + sim.crm_toml());
  ASSERT_EQ(run_cli({"--config", config, "cache", "import", source_path("demo/cache.jsonl")}).code, kExitOk);
  ASSERT_TRUE(has_tracked(db, "CRM:0001001"));
  auto r = run_cli({"--config", config, "--no-progress", "sync", "--only", "email"});
  EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_TRUE(says(r, "email: 0 read, 9 deleted (full read)")) << r.out;
  EXPECT_FALSE(has_tracked(db, "CRM:0001001"));
}

TEST_F(SyncSimCase, AFullReadFailingMidwaySweepsNothing) {
  // 5,010 contacts: two pages of 5,000 (the page size sync asks for).
  std::string lines;
  for (int i = 0; i < 5002; ++i) {
    char id[40];
    std::snprintf(id, sizeof id, "cccccccc-0000-0000-0000-%012d", i);
    lines += std::string(R"({"entity": "contact", "contactid": ")") + id +
             R"(", "fullname": "Bulk", "emailaddress1": "bulk)" + std::to_string(i) + "@example.org\"}\n";
  }
  auto seeded = sim_.call("POST", "/_sim/seed", lines);
  ASSERT_EQ(seeded.status, 200) << seeded.body;
  std::string extra = dir_.write(
      "extra.jsonl",
      R"({"entity": "contact", "contactid": "bbbbbbbb-0000-0000-0000-000000000001", "fullname": "Only Local", "emailaddress1": "only.local@example.org"})"
      "\n");
  ASSERT_EQ(run_cli({"--config", config_, "cache", "import", extra}).code, kExitOk);

  // The second page of the read (the second API request from now) is refused.
  auto fault = sim_.call("POST", "/_sim/faults", R"({"faults": "400@2"})");
  ASSERT_EQ(fault.status, 200) << fault.body;
  auto failed = run_cli({"--config", config_, "--no-progress", "sync", "--only", "contact"});
  EXPECT_EQ(failed.code, kExitUnreachable) << failed.out << failed.err;
  EXPECT_TRUE(has_record(db_, "only.local@example.org"));  // not swept
  EXPECT_TRUE(has_record(db_, "jane.doe@fabrikam.example"));  // the first page is in
  {
    auto store = Store::open(db_, OpenMode::ReadOnly);
    ASSERT_TRUE(store);
    auto link = (*store)->state_get("sync.delta.contact");
    ASSERT_TRUE(link);
    EXPECT_FALSE(*link);  // no delta link: the next sync reads everything again
  }

  auto again = sync({"sync", "--only", "contact"});
  EXPECT_TRUE(says(again, "contact: 5010 read, 1 deleted (full read)")) << again.out;
  EXPECT_FALSE(has_record(db_, "only.local@example.org"));
  EXPECT_TRUE(has_record(db_, "bulk5001@example.org"));
}

TEST_F(SyncSimCase, DryRunCountsButLeavesTheDatabaseAlone) {
  sync();
  crm("DELETE", std::string("contacts(") + kOmar + ")");
  crm("DELETE", std::string("systemusers(") + kAlex + ")");
  crm("PATCH", std::string("usersettingscollection(") + kLynne + ")",
      R"({"incomingemailfilteringmethod": 1})");
  const std::string before = read_file(db_);
  ASSERT_FALSE(before.empty());

  auto delta = sync({"--dry-run", "sync"});
  EXPECT_TRUE(says(delta, "contact: 0 read, 1 deleted (changes only)")) << delta.out;
  EXPECT_TRUE(says(delta, "systemuser: 0 read, 1 deleted, 1 filtering method changed (changes only)"))
      << delta.out;
  auto full = sync({"--dry-run", "sync", "--full"});
  EXPECT_TRUE(says(full, "contact: 7 read, 1 deleted (full read)")) << full.out;
  EXPECT_TRUE(says(full, "systemuser: 4 read, 1 deleted, 1 filtering method changed (full read)"))
      << full.out;
  EXPECT_TRUE(says(full, "dry run: the cache was not changed")) << full.out;

  EXPECT_EQ(read_file(db_), before);
  EXPECT_TRUE(has_record(db_, "omar.haddad@fabrikam.example"));
  EXPECT_TRUE(has_record(db_, "alex.wilber@contoso.example"));
  EXPECT_EQ(record(db_, "lynne.robbins@contoso.example").filtering_method, 3);
}

TEST(SyncSim, WrongSecretIsAnAuthenticationFailure) {
  Sim sim({"--seed", source_path("demo/cache.jsonl")});
  TempDir dir;
  std::string config = dir.write("crm.toml", "db = \"" + dir.file("s.db") + "\"\n" + sim.crm_toml());
  setenv("CRMR_TEST_SECRET", "wrong-secret", 1);
  std::string cfg_text = read_file(config);
  auto r = run_cli({"--config", config, "sync"});
  EXPECT_EQ(r.code, kExitUnreachable) << r.out << r.err;
  EXPECT_EQ(r.err.find("wrong-secret"), std::string::npos) << r.err;
  setenv("CRMR_TEST_SECRET", "sec", 1);
}

}  // namespace
}  // namespace crmr::test
