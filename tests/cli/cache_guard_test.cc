// Never route against a cache that cannot decide: `import`, `run`,
// `quarantine retry` (dry runs too) refuse with exit 8 and a message naming
// `sync` and `cache import`, write nothing to the ledger and dispose of
// nothing. `check` shows what the cache holds and how old it is; a run
// against an old cache warns in its summary and its log.
#include <gtest/gtest.h>

#include <algorithm>

#include <filesystem>

#include "cli/exit_codes.h"
#include "tests/cli/admin_harness.h"
#include "tests/cli/dovecot_fixture.h"
#include "tests/support/result_matchers.h"

namespace crmr::test {
namespace {

constexpr char kOrgAndUser[] =
    "{\"entity\":\"organization\",\"trackingprefix\":\"CRM:\"}\n"
    "{\"entity\":\"systemuser\",\"systemuserid\":\"u1\",\"fullname\":\"Bob Sales\","
    "\"internalemailaddress\":\"bob@contoso.example\",\"isdisabled\":false,"
    "\"incomingemailfilteringmethod\":0}\n";

void expect_refusal(const AdminRun& r, const std::string& command) {
  EXPECT_EQ(r.code, kExitCacheNotReady) << r.output;
  EXPECT_NE(r.output.find(command + ": refused: the cache cannot decide"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("crm-router sync"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("crm-router cache import FILE"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("nothing was routed"), std::string::npos) << r.output;
}

TEST(CacheGuard, ImportOnANewDatabaseRefusesAndRoutesNothing) {
  TempDir t;
  const std::string db = t.file("state.db");
  auto msg = t.write("m.eml", demo_reply("guard-1"));
  auto r = admin_run({"--db", db, "import", msg});
  expect_refusal(r, "import");
  EXPECT_NE(r.output.find("no organisation settings and no active system user or queue"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(db_count(db, "ledger"), 0);
  EXPECT_EQ(db_count(db, "outbox_pending"), 0);
}

// A refused cron run is not silent afterwards: the history lists it as
// failed with why, and the monitoring check goes critical.
TEST(CacheGuard, ARefusedRunIsListedAsFailedAndStatusIsCritical) {
  TempDir t;
  const std::string db = t.file("state.db");
  auto msg = t.write("m.eml", demo_reply("guard-listed"));
  expect_refusal(admin_run({"--db", db, "--log-file", t.file("r.log"), "import", msg}), "import");
  EXPECT_EQ(db_count(db, "runs"), 1);
  // The log has the refusal once, as an error.
  const std::string log = read_file(t.file("r.log"));
  EXPECT_EQ(std::count_if(log.begin(), log.end(), [](char c) { return c == '\n'; }), 3) << log;
  EXPECT_NE(log.find("[error] import: refused: the cache cannot decide"), std::string::npos) << log;
  auto list = admin_run({"--db", db, "report", "--list"});
  EXPECT_EQ(list.code, kExitOk) << list.output;
  EXPECT_NE(list.output.find("\tfailed\t"), std::string::npos) << list.output;
  EXPECT_NE(list.output.find("refused: the cache cannot decide"), std::string::npos)
      << list.output;
  auto status = admin_run({"--db", db, "status"});
  EXPECT_EQ(status.code, 2) << status.output;
  EXPECT_NE(status.output.find("refused: the cache cannot decide"), std::string::npos)
      << status.output;
}

TEST(CacheGuard, ADryRunRefusalRecordsNoRun) {
  TempDir t;
  const std::string db = t.file("state.db");
  auto msg = t.write("m.eml", demo_reply("guard-dry"));
  auto r = admin_run({"--db", db, "--dry-run", "import", msg});
  EXPECT_EQ(r.code, kExitCacheNotReady) << r.output;
  EXPECT_NE(r.output.find("import --dry-run: refused"), std::string::npos) << r.output;
  // A dry run writes nothing, not even the database.
  EXPECT_FALSE(std::filesystem::exists(db));
}

TEST(CacheGuard, ContactsAloneCannotDecide) {
  TempDir t;
  const std::string db = t.file("state.db");
  auto csv = t.write("c.csv", "contactid,fullname,emailaddress1,statecode\nc1,Jane Doe,"
                              "jane.doe@fabrikam.example,0\n");
  ASSERT_EQ(admin_run({"--db", db, "cache", "import", "--entity", "contact", csv}).code, kExitOk);
  auto r = admin_run({"--db", db, "import", t.write("m.eml", demo_reply("guard-2"))});
  expect_refusal(r, "import");
  EXPECT_EQ(db_count(db, "ledger"), 0);
}

TEST(CacheGuard, SettingsWithoutAnActiveUserOrQueueCannotDecide) {
  TempDir t;
  const std::string db = t.file("state.db");
  auto cache = t.write("c.jsonl",
                       "{\"entity\":\"organization\",\"trackingprefix\":\"CRM:\"}\n"
                       "{\"entity\":\"systemuser\",\"systemuserid\":\"u1\",\"fullname\":\"Gone\","
                       "\"internalemailaddress\":\"gone@contoso.example\",\"isdisabled\":true}\n");
  ASSERT_EQ(admin_run({"--db", db, "cache", "import", cache}).code, kExitOk);
  auto r = admin_run({"--db", db, "import", t.write("m.eml", demo_reply("guard-3"))});
  expect_refusal(r, "import");
  EXPECT_NE(r.output.find("no active system user or queue (1 inactive)"), std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("no organisation settings"), std::string::npos) << r.output;
}

TEST(CacheGuard, DryRunRefusesTooAndSaysWhy) {
  TempDir t;
  const std::string db = t.file("state.db");
  auto r = admin_run({"--db", db, "--dry-run", "import", t.write("m.eml", demo_reply("guard-4"))});
  expect_refusal(r, "import --dry-run");
  EXPECT_NE(r.output.find("the database " + db + " does not exist"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("a dry run would only show every message tossed"), std::string::npos)
      << r.output;
  EXPECT_FALSE(std::filesystem::exists(db));
}

TEST(CacheGuard, ACacheThatCanDecideRoutes) {
  TempDir t;
  const std::string db = t.file("state.db");
  ASSERT_EQ(admin_run({"--db", db, "cache", "import", t.write("c.jsonl", kOrgAndUser)}).code, kExitOk);
  auto r = admin_run({"--db", db, "import", t.write("m.eml", demo_reply("guard-5"))});
  EXPECT_EQ(r.code, kExitOk) << r.output;
  EXPECT_EQ(db_count(db, "ledger"), 1);
}

TEST(CacheGuard, QuarantineRetryRefusesAndKeepsTheItem) {
  TempDir t;
  const std::string db = t.file("state.db");
  {
    // A message quarantined earlier, in a database whose cache is empty
    // (e.g. restored from a backup without it).
    auto s = Store::open(db, OpenMode::ReadWrite);
    ASSERT_OK(s);
    auto run = (*s)->begin_run("import", "2026-12-01T00:00:00Z");
    ASSERT_TRUE(run);
    ProcessedMessage pm;
    pm.key = "sha256:abc";
    pm.source = "old.mbox";
    pm.position = "1";
    pm.outcome = "quarantined";
    pm.reason = "ParseError";
    pm.raw = demo_reply("guard-6");
    pm.error = "could not be parsed";
    ASSERT_TRUE((*s)->record_processed(*run, pm));
  }
  auto r = admin_run({"--db", db, "quarantine", "retry", "--all"});
  expect_refusal(r, "quarantine retry");
  auto list = admin_run({"--db", db, "quarantine", "list"});
  EXPECT_NE(list.output.find("1 message(s) in quarantine"), std::string::npos) << list.output;
}

TEST(CacheCheck, ShowsWhatTheCacheHoldsAndWhenItWasFilled) {
  TempDir t;
  const std::string db = t.file("state.db");
  ASSERT_EQ(admin_run({"--db", db, "cache", "import", source_path("demo/cache.jsonl")}).code, kExitOk);
  auto r = admin_run({"--db", db, "check"});
  EXPECT_EQ(r.code, kExitOk) << r.output;
  for (const char* want : {"cache " , "organisation settings: stored", "systemuser: 5 (4 active)",
                           "email: ", " tracked", "last sync: never; last cache import: 20"})
    EXPECT_NE(r.output.find(want), std::string::npos) << want << "\n" << r.output;
  EXPECT_EQ(r.output.find("warning"), std::string::npos) << r.output;
}

TEST(CacheCheck, AnEmptyCacheFailsTheCheck) {
  TempDir t;
  auto r = admin_run({"--db", t.file("state.db"), "check"});
  EXPECT_EQ(r.code, kExitCacheNotReady) << r.output;
  EXPECT_NE(r.output.find("does not exist"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("crm-router sync"), std::string::npos) << r.output;
}

// The cache was last filled long ago: `check` warns, and a run warns in its
// summary and in its log, then routes.
TEST(CacheCheck, AnOldCacheWarnsInCheckInTheSummaryAndInTheLog) {
  TempDir t;
  const std::string db = t.file("state.db");
  ASSERT_EQ(admin_run({"--db", db, "cache", "import", source_path("demo/cache.jsonl")}).code, kExitOk);
  {
    auto s = Store::open(db, OpenMode::ReadWrite);
    ASSERT_TRUE(s);
    ASSERT_TRUE((*s)->state_set("cache.imported_at", "2026-01-01T00:00:00Z"));
  }
  auto cfg = t.write("c.toml", "db = \"state.db\"\nlog_file = \"router.log\"\n[cache]\nmax_age_hours = 48\n");
  auto check = admin_run({"--config", cfg, "check"});
  EXPECT_EQ(check.code, kExitOk) << check.output;
  EXPECT_NE(check.output.find("warning: the cache in " + db + " was last refreshed"), std::string::npos)
      << check.output;
  EXPECT_NE(check.output.find("more than [cache] max_age_hours = 48"), std::string::npos) << check.output;

  auto r = admin_run({"--config", cfg, "import", t.write("m.eml", demo_reply("old-1"))});
  EXPECT_EQ(r.code, kExitOk) << r.output;
  auto summary = r.output.find("1 message in");
  auto warning = r.output.find("warning: the cache in " + db + " was last refreshed");
  ASSERT_NE(summary, std::string::npos) << r.output;
  EXPECT_NE(warning, std::string::npos) << r.output;
  EXPECT_GT(warning, summary) << r.output;  // under the summary line
  EXPECT_NE(read_file(t.file("router.log")).find("was last refreshed"), std::string::npos);
  EXPECT_EQ(db_count(db, "ledger"), 1);
}

// `run` against a real Dovecot with after = "delete": refused, the message
// is still on the server, nothing is in the ledger.
TEST(CacheGuard, RunOnAnEmptyCacheLeavesTheMailOnTheServer) {
  ScopedDovecot server;
  if (!server.start()) GTEST_SKIP() << "dovecot is not installed";
  server.add_user("guard", "pw");
  server.deliver("guard", "m1", demo_reply("guard-run-1"));
  TempDir t;
  const std::string db = t.file("state.db");
  auto cfg = t.write("c.toml", "db = \"" + db + "\"\n" +
                                   server.mailbox_toml("sales", "guard", "CRMR_GUARD_PW",
                                                       "after = \"delete\"\nall = true\n"));
  std::filesystem::permissions(cfg, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  auto r = admin_run({"--config", cfg, "run"}, {}, {{"CRMR_GUARD_PW", "pw"}});
  expect_refusal(r, "run");
  EXPECT_EQ(server.flags("guard").size(), 1u);  // still there
  EXPECT_EQ(db_count(db, "ledger"), 0);

  ASSERT_EQ(admin_run({"--db", db, "cache", "import", source_path("demo/cache.jsonl")}).code, kExitOk);
  auto ok = admin_run({"--config", cfg, "run"}, {}, {{"CRMR_GUARD_PW", "pw"}});
  EXPECT_EQ(ok.code, kExitOk) << ok.output;
  EXPECT_EQ(server.flags("guard").size(), 0u);  // routed, then deleted
  EXPECT_EQ(db_count(db, "outbox_pending"), 1);
}

}  // namespace
}  // namespace crmr::test
