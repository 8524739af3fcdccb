// `cache import` killed midway (CRMR_CRASH_AT) leaves the cache as it was at
// its last commit, every record whole, and importing again completes it;
// `cache prune` removes the tracked e-mails older than its window, all of
// them or (killed before its commit) none.
#include <string>
#include <vector>

#include "cli/exit_codes.h"
#include "storage/db.h"
#include "tests/cli/cli_harness.h"
#include "tests/support/result_matchers.h"

namespace crmr::test {
namespace {

constexpr int kRows = 2500;

// kRows contacts as CSV, each with two addresses.
std::string contacts_csv() {
  std::string csv = "contactid,fullname,emailaddress1,emailaddress2,statecode\n";
  for (int i = 0; i < kRows; ++i) {
    const std::string n = std::to_string(i);
    csv += "c" + n + ",\"Contact, " + n + "\",a" + n + "@example.com,b" + n + "@example.net,0\n";
  }
  return csv;
}

// The one integer `sql` reads from the database at `db` (-1 when it fails).
std::int64_t query_int(const std::string& db, const char* sql) {
  auto conn = db::Connection::open(db, db::Access::ReadOnly);
  EXPECT_OK(conn);
  if (!conn) return -1;
  auto n = conn->query_int(sql);
  EXPECT_OK(n);
  return n ? *n : -1;
}

class CacheImportCrash : public ::testing::Test {
 protected:
  void SetUp() override {
    db = dir.file("state.db");
    csv = dir.write("contacts.csv", contacts_csv());
    // A record the cache held before the import.
    const std::string before = dir.write(
        "before.jsonl",
        R"({"entity":"contact","contactid":"kept","fullname":"Kept","emailaddress1":"k1@example.com","emailaddress2":"k2@example.com"})"
        "\n");
    ASSERT_EQ(run_cli({"--db", db, "-q", "cache", "import", before}).code, kExitOk);
  }

  int import(const std::string& crash_at) {
    return run_binary({"--db", db, "-q", "cache", "import", "--entity", "contact", "--batch",
                       "1000", csv},
                      crash_at, dir.file("log"));
  }

  std::int64_t query(const char* sql) { return query_int(db, sql); }

  // The cache is consistent: SQLite finds nothing wrong, every contact has
  // both its addresses. Returns the number of contacts.
  std::int64_t consistent_contacts() {
    EXPECT_EQ(query("SELECT count(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'"), 0);
    EXPECT_EQ(query("SELECT count(*) FROM records r WHERE (SELECT count(*) FROM record_addresses a"
                    " WHERE a.rid = r.rid) <> 2"),
              0);
    return query("SELECT count(*) FROM records WHERE entity = 'contact'");
  }

  TempDir dir;
  std::string db;
  std::string csv;
};

TEST_F(CacheImportCrash, KilledInTheFirstBatchLeavesTheCacheAsItWas) {
  EXPECT_EQ(import("cache_import.row:700"), 137);
  EXPECT_EQ(consistent_contacts(), 1);
}

TEST_F(CacheImportCrash, KilledMidwayKeepsTheCommittedBatchesWhole) {
  EXPECT_EQ(import("cache_import.row:1700"), 137);
  EXPECT_EQ(consistent_contacts(), 1 + 1000);
}

TEST_F(CacheImportCrash, KilledRightAfterACommitKeepsThatBatch) {
  EXPECT_EQ(import("cache_import.commit:2"), 137);
  EXPECT_EQ(consistent_contacts(), 1 + 2000);
}

TEST_F(CacheImportCrash, ImportingAgainCompletesTheCache) {
  EXPECT_EQ(import("cache_import.row:2200"), 137);
  EXPECT_EQ(import(""), kExitOk) << read_file(dir.file("log"));
  EXPECT_EQ(consistent_contacts(), 1 + kRows);
  auto again = run_cli({"--db", db, "cache", "stats"});
  EXPECT_NE(again.out.find("contact: 2501"), std::string::npos) << again.out;
}

TEST(CachePrune, RemovesTrackedEmailsOlderThanTheWindowAndKeepsUndated) {
  TempDir dir;
  const std::string db = dir.file("state.db");
  const std::string emails = dir.write(
      "emails.jsonl",
      R"({"entity":"email","activityid":"old","subject":"Old","modifiedon":"2001-01-01T00:00:00Z"})"
      "\n"
      R"({"entity":"email","activityid":"new","subject":"Order gears payment","modifiedon":"2999-01-01T00:00:00Z"})"
      "\n"
      R"({"entity":"email","activityid":"undated","subject":"No date"})"
      "\n");
  ASSERT_EQ(run_cli({"--db", db, "-q", "cache", "import", emails}).code, kExitOk);

  auto dry = run_cli({"--db", db, "--dry-run", "cache", "prune", "--days", "30"});
  EXPECT_EQ(dry.code, kExitOk) << dry.err;
  EXPECT_NE(dry.out.find("would remove 1 tracked e-mails"), std::string::npos) << dry.out;

  auto prune = run_cli({"--db", db, "cache", "prune", "--days", "30"});
  EXPECT_EQ(prune.code, kExitOk) << prune.err;
  EXPECT_NE(prune.out.find("removed 1 tracked e-mails last modified before "), std::string::npos)
      << prune.out;
  auto stats = run_cli({"--db", db, "cache", "stats"});
  EXPECT_NE(stats.out.find("email: 2"), std::string::npos) << stats.out;
}

// Killed after its DELETE but before the commit, prune leaves every e-mail;
// killed after the commit (before VACUUM), the old ones are gone, the file whole.
TEST(CachePrune, KilledBeforeItsCommitRemovesNothing) {
  TempDir dir;
  const std::string db = dir.file("state.db");
  const std::string emails = dir.write(
      "emails.jsonl",
      R"({"entity":"email","activityid":"old1","subject":"Quote pumps delivery","modifiedon":"2001-01-01T00:00:00Z"})"
      "\n"
      R"({"entity":"email","activityid":"old2","subject":"Invoice valves shipping","modifiedon":"2001-02-01T00:00:00Z"})"
      "\n"
      R"({"entity":"email","activityid":"new","subject":"Order gears payment","modifiedon":"2999-01-01T00:00:00Z"})"
      "\n");
  ASSERT_EQ(run_cli({"--db", db, "-q", "cache", "import", emails}).code, kExitOk);
  auto count = [&](const char* sql) { return query_int(db, sql); };
  const std::vector<std::string> prune = {"--db", db, "-q", "cache", "prune", "--days", "30"};

  EXPECT_EQ(run_binary(prune, "cache_prune.delete:1", dir.file("log")), 137);
  EXPECT_EQ(count("SELECT count(*) FROM tracked_emails"), 3);
  EXPECT_EQ(count("SELECT count(DISTINCT tid) FROM tracked_subject_hashes"), 3);

  EXPECT_EQ(run_binary(prune, "cache_prune.commit:1", dir.file("log")), 137);
  EXPECT_EQ(count("SELECT count(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM tracked_emails"), 1);
  EXPECT_EQ(count("SELECT count(DISTINCT tid) FROM tracked_subject_hashes"), 1);
}

}  // namespace
}  // namespace crmr::test
