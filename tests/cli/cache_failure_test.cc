// The decision never mistakes a failing database for an answer: a cache
// lookup that fails (busy, broken) stops the run with a clear error, and the
// message it was deciding stays unprocessed: not in the ledger, not in the
// outbox, not disposed of on the server. Tested with a cache that fails on
// the Nth lookup (every lookup a decision makes, in turn) and with a real
// database whose index is broken, run as an administrator would.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "cli/exit_codes.h"
#include "core/engine/pipeline.h"
#include "storage/db.h"
#include "tests/cli/admin_harness.h"
#include "tests/cli/dovecot_fixture.h"
#include "tests/cli/failing_cache.h"
#include "tests/support/result_matchers.h"

namespace crmr::test {
namespace {

constexpr char kAdele[] = "Adele Vance <adele.vance@contoso.example>";  // correlated mail only

class FailingLookup : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = t_.file("state.db");
    // In a child process: run_cli would leave this process without a default logger.
    ASSERT_EQ(admin_run({"--db", db_, "cache", "import", source_path("demo/cache.jsonl")}).code, 0);
    auto s = Store::open(db_, OpenMode::ReadWrite);
    ASSERT_OK(s);
    store_ = std::move(*s);
    auto run = store_->begin_run("import", "2026-12-07T00:00:00Z");
    ASSERT_TRUE(run);
    run_id_ = *run;
  }
  PipelineOptions options(bool dry_run = false) {
    PipelineOptions po;
    po.dry_run = dry_run;
    return po;
  }
  RawMessage raw(const std::string& bytes, const std::string& pos) {
    return RawMessage{"inbox.mbox", pos, bytes, {}};
  }
  // Lookups one pipeline makes to route `bytes` (the organisation settings
  // read when it starts, then the decision's), counted in a dry run.
  int lookups_for(const std::string& bytes) {
    FailingCache counter(*store_, 0);
    Pipeline p(*store_, counter, options(true), 0, [](ReportEntry&&) {});
    EXPECT_TRUE(p.process(raw(bytes, "#0")));
    return counter.lookups();
  }

  TempDir t_;
  std::string db_;
  std::unique_ptr<Store> store_;
  std::int64_t run_id_ = 0;
};

TEST_F(FailingLookup, EachLookupThatFailsLeavesTheMessageUnprocessed) {
  const std::string msg = demo_reply("fail-each", kAdele);
  const int n = lookups_for(msg);
  ASSERT_GE(n, 4);  // settings, ledger, the CRM's messageid, In-Reply-To at least
  for (int at = 1; at <= n; ++at) {
    SCOPED_TRACE("lookup " + std::to_string(at) + " of " + std::to_string(n) + " fails");
    FailingCache cache(*store_, at);
    std::vector<ReportEntry> entries;
    {
      Pipeline p(*store_, cache, options(), run_id_,
                 [&](ReportEntry&& e) { entries.push_back(std::move(e)); });
      auto r = p.process(raw(msg, "#1"));
      ASSERT_FALSE(r) << "decided against a failed lookup: " << entries.at(0).outcome;
      EXPECT_ERROR_CODE(r, Code::CacheFailed);
      EXPECT_EQ(r.error().scope, Scope::Run);
      EXPECT_NE(r.error().message.find("inbox.mbox #1: not routed"), std::string::npos)
          << r.error().message;
      EXPECT_NE(r.error().message.find("database is locked"), std::string::npos);
      EXPECT_NE(r.error().hint.find("not recorded and not disposed of"), std::string::npos);
    }
    EXPECT_TRUE(entries.empty());
    EXPECT_EQ((*store_->cache_stats())["ledger"], 0);
    EXPECT_EQ((*store_->cache_stats())["outbox_pending"], 0);
  }
  // With the cache working again the same message is routed: correlated, queued.
  std::vector<ReportEntry> entries;
  {
    Pipeline p(*store_, options(), run_id_, [&](ReportEntry&& e) { entries.push_back(std::move(e)); });
    ASSERT_TRUE(p.process(raw(msg, "#1")));
    ASSERT_TRUE(p.flush());
  }
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].outcome, "queued");
  EXPECT_EQ(entries[0].reason, "CorrelationMatch");
}

TEST_F(FailingLookup, MessagesDecidedBeforeTheFailureAreKept) {
  const std::string first = demo_reply("fail-first", kAdele);
  const std::string second = demo_reply("fail-second", kAdele);
  const int per_message = lookups_for(first) - 1;  // without the settings read at the start
  FailingCache cache(*store_, 1 + per_message + 2);  // the second message's second lookup
  {
    Pipeline p(*store_, cache, options(), run_id_, [](ReportEntry&&) {});
    ASSERT_TRUE(p.process(raw(first, "#1")));
    auto r = p.process(raw(second, "#2"));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("#2"), std::string::npos) << r.error().message;
  }
  EXPECT_TRUE(store_->ledger_has("fail-first@fabrikam.example"));
  EXPECT_FALSE(store_->ledger_has("fail-second@fabrikam.example"));
  EXPECT_EQ((*store_->cache_stats())["outbox_pending"], 1);
}

// With parsing on workers, messages submitted after the one whose lookup
// failed were already parsed: none of them is decided, recorded or told.
TEST_F(FailingLookup, WithTwoJobsNothingSubmittedAfterTheFailureIsRecorded) {
  const std::string first = demo_reply("jobs-first", kAdele);
  const int per_message = lookups_for(first) - 1;
  FailingCache cache(*store_, 1 + per_message + 2);  // the second message's second lookup
  PipelineOptions po = options();
  po.jobs = 2;
  std::vector<std::string> told;
  {
    Pipeline p(*store_, cache, po, run_id_, [](ReportEntry&&) {});
    Status st;
    for (int i = 1; i <= 20 && st; ++i) {
      st = p.submit(raw(demo_reply("jobs-" + std::to_string(i), kAdele), "#" + std::to_string(i)),
                    [&told, i](const Routed&) { told.push_back("#" + std::to_string(i)); });
    }
    if (st) st = p.flush();
    ASSERT_FALSE(st);
    EXPECT_ERROR_CODE(st, Code::CacheFailed);
    EXPECT_NE(st.error().message.find("#2: not routed"), std::string::npos) << st.error().message;
    auto again = p.flush();
    ASSERT_FALSE(again) << "the run stays stopped";
  }
  EXPECT_EQ(told, std::vector<std::string>{"#1"});
  EXPECT_TRUE(store_->ledger_has("jobs-1@fabrikam.example"));
  for (int i = 2; i <= 20; ++i)
    EXPECT_FALSE(store_->ledger_has("jobs-" + std::to_string(i) + "@fabrikam.example")) << i;
  EXPECT_EQ((*store_->cache_stats())["outbox_pending"], 1);
}

TEST_F(FailingLookup, AnUnparseableMessageIsNotQuarantinedOnAFailedLedgerLookup) {
  FailingCache cache(*store_, 2);  // 1: settings at the start; 2: the ledger
  Pipeline p(*store_, cache, options(), run_id_, [](ReportEntry&&) {});
  auto r = p.process(raw("", "#1"));
  ASSERT_FALSE(r);
  EXPECT_ERROR_CODE(r, Code::CacheFailed);
  EXPECT_EQ((*store_->cache_stats())["quarantine"], 0);
}

// Breaks the index the CRM's message ids are looked up by (its root page
// overwritten), as a damaged disk would: SQLite answers "malformed".
void break_message_id_index(const std::string& db) {
  ASSERT_FALSE(std::filesystem::exists(db + "-wal") && std::filesystem::file_size(db + "-wal") > 0);
  std::int64_t root = 0, page = 0;
  {
    auto conn = db::Connection::open(db, db::Access::ReadOnly);
    ASSERT_TRUE(conn);
    auto q = conn->prepare("SELECT rootpage FROM sqlite_master WHERE name = 'tracked_by_message_id'");
    ASSERT_TRUE(q);
    ASSERT_TRUE(*q->step());
    root = q->column_int64(0);
    page = *conn->query_int("PRAGMA page_size");
  }
  ASSERT_GT(root, 1);
  std::fstream f(db, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp((root - 1) * page);
  const std::string garbage(static_cast<std::size_t>(page), '\xff');
  f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
}

TEST(BrokenCache, ImportStopsAndRecordsNothing) {
  TempDir t;
  const std::string db = t.file("state.db");
  ASSERT_EQ(admin_run({"--db", db, "cache", "import", source_path("demo/cache.jsonl")}).code, kExitOk);
  break_message_id_index(db);
  auto r = admin_run({"--db", db, "import", t.write("m.eml", demo_reply("broken-1", kAdele))});
  EXPECT_EQ(r.code, kExitStorage) << r.output;
  EXPECT_NE(r.output.find("m.eml #1: not routed: the cache could not be read while deciding it"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("malformed"), std::string::npos) << r.output;
  EXPECT_EQ(db_count(db, "ledger"), 0);
  EXPECT_EQ(db_count(db, "outbox_pending"), 0);
}

TEST(BrokenCache, RunLeavesTheMessageOnTheServer) {
  ScopedDovecot server;
  if (!server.start()) GTEST_SKIP() << "dovecot is not installed";
  server.add_user("broken", "pw");
  server.deliver("broken", "m1", demo_reply("broken-run-1", kAdele));
  TempDir t;
  const std::string db = t.file("state.db");
  ASSERT_EQ(admin_run({"--db", db, "cache", "import", source_path("demo/cache.jsonl")}).code, kExitOk);
  break_message_id_index(db);
  auto cfg = t.write("c.toml", "db = \"" + db + "\"\n" +
                                   server.mailbox_toml("sales", "broken", "CRMR_BROKEN_PW",
                                                       "after = \"delete\"\nall = true\n"));
  auto r = admin_run({"--config", cfg, "run"}, {}, {{"CRMR_BROKEN_PW", "pw"}});
  EXPECT_EQ(r.code, kExitStorage) << r.output;
  EXPECT_NE(r.output.find("not routed: the cache could not be read"), std::string::npos) << r.output;
  EXPECT_EQ(server.flags("broken").size(), 1u);  // not deleted
  EXPECT_EQ(db_count(db, "ledger"), 0);
}

}  // namespace
}  // namespace crmr::test
