// sync end to end against dataverse-sim: a full read, then only changes and
// deletions, then a full read again when the delta token has expired.
#include <gtest/gtest.h>

#include <thread>

#include "cli/exit_codes.h"
#include "storage/store.h"
#include "tests/cli/cli_harness.h"
#include "tests/crm/sim_harness.h"

namespace crmr::test {
namespace {

bool has_record(const std::string& db, const std::string& address) {
  auto store = Store::open(db, OpenMode::ReadOnly);
  return store && !(*store)->records_by_address(address).empty();
}

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
