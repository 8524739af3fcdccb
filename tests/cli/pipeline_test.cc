// The offline pipeline end to end on real files: the demo oracle (every
// outcome, reason and correlation method), duplicate re-import, dry run,
// filters, forward mailbox, every kind of source.
#include <gtest/gtest.h>
#include <zlib.h>

#include <map>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_harness.h"

namespace crmr::test {
namespace {

using nlohmann::json;

class DemoPipeline : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = t_.file("state.db");
    auto r = run_cli({"--db", db_, "cache", "import", source_path("demo/cache.jsonl")});
    ASSERT_EQ(r.code, 0) << r.err;
  }
  json import(std::vector<std::string> extra, int want_code = 1) {
    std::vector<std::string> args = {"--db", db_, "--report", t_.file("r.json")};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = run_cli(args);
    EXPECT_EQ(r.code, want_code) << r.out << r.err;
    return json::parse(read_file(t_.file("r.json")));
  }
  const json* by_position(const json& report, const std::string& pos) {
    for (const auto& m : report["messages"])
      if (m["position"] == pos) return &m;
    return nullptr;
  }
  TempDir t_;
  std::string db_;
};

// demo/README.md is the oracle: position -> outcome, reason, correlation.
struct Expect {
  const char* pos;
  const char* outcome;
  const char* reason;
  const char* correlation;
};
const Expect kOracle[] = {
    {"#1", "queued", "CorrelationMatch", "in_reply_to"},
    {"#2", "queued", "CorrelationMatch", "in_reply_to"},  // References only
    {"#3", "queued", "CorrelationMatch", "tracking_token"},
    {"#4", "queued", "CorrelationMatch", "tracking_token"},  // old prefix TRK:
    {"#5", "queued", "CorrelationMatch", "tracking_token"},  // "CRM: 0003002"
    {"#6", "queued", "CorrelationMatch", "tracking_token"},  // token split over encoded words
    {"#7", "queued", "CorrelationMatch", "conversation_index"},
    {"#8", "queued", "CorrelationMatch", "smart_match"},
    {"#9", "tossed", "NoCorrelationMatch", "none"},
    {"#10", "queued", "AcceptAll", "none"},  // foreign prefix ignored
    {"#11", "queued", "AcceptAll", "none"},
    {"#12", "queued", "AcceptAll", "none"},
    {"#13", "queued", "AcceptAll", "none"},
    {"#14", "queued", "SenderMatch", "none"},
    {"#15", "queued", "SenderMatch", "none"},
    {"#16", "queued", "SenderMatch", "none"},
    {"#17", "queued", "SenderMatch", "none"},
    {"#18", "queued", "SenderMatch", "none"},
    {"#19", "queued", "SenderMatch", "none"},
    {"#20", "queued", "SenderMatch", "none"},
    {"#21", "tossed", "InvalidSender", "none"},
    {"#22", "tossed", "InvalidSender", "none"},  // inactive contact
    {"#23", "tossed", "NoRecipientMatch", "none"},
    {"#24", "tossed", "NoRecipientMatch", "none"},  // disabled user
    {"#25", "tossed", "InternalEmailReject", "none"},
    {"#26", "tossed", "AutoReply", "none"},
    {"#27", "tossed", "AutoReply", "none"},
    {"#28", "tossed", "DeliveryReport", "none"},
    {"#29", "tossed", "MailLoop", "none"},
    {"#30", "duplicate", "Duplicate", "none"},  // same Message-ID earlier in the run
    {"#31", "duplicate", "Duplicate", "none"},  // the CRM tracks its Message-ID
    {"#32", "quarantined", "ParseError", "none"},
    {"#33", "tossed", "NoRecipientMatch", "none"},
    {"#34", "queued", "AcceptAll", "none"},
    {"#35", "queued", "AcceptAll", "none"},
};

TEST_F(DemoPipeline, EveryMessageGetsItsOracleDecision) {
  json r = import({"import", source_path("demo/demo.mbox")});
  ASSERT_EQ(r["messages"].size(), std::size(kOracle));
  for (const auto& e : kOracle) {
    const json* m = by_position(r, e.pos);
    ASSERT_NE(m, nullptr) << e.pos;
    EXPECT_EQ((*m)["outcome"], e.outcome) << e.pos;
    EXPECT_EQ((*m)["reason"], e.reason) << e.pos;
    EXPECT_EQ((*m)["correlation"], e.correlation) << e.pos;
  }
  EXPECT_EQ(r["run"]["totals"]["queued"], 21);
  EXPECT_EQ(r["run"]["totals"]["tossed"], 11);
  EXPECT_EQ(r["run"]["totals"]["duplicate"], 2);
  EXPECT_EQ(r["run"]["totals"]["quarantined"], 1);
}

TEST_F(DemoPipeline, ReportCarriesRegardingPartiesAndAttachments) {
  json r = import({"import", source_path("demo/demo.mbox")});
  const json* m1 = by_position(r, "#1");
  ASSERT_NE(m1, nullptr);
  EXPECT_EQ((*m1)["regarding"]["entity"], "opportunity");
  const json* m19 = by_position(r, "#19");
  bool exe_left_out = false;
  for (const auto& a : (*m19)["attachments"])
    if (a["filename"] == "setup_tool.exe") exe_left_out = !a["kept"].get<bool>();
  EXPECT_TRUE(exe_left_out);
  const json* m15 = by_position(r, "#15");
  EXPECT_EQ((*m15)["parties"][0]["role"], "from");
  EXPECT_EQ((*m15)["parties"][0]["entity"], "account");
  const json* m13 = by_position(r, "#13");
  bool unresolved = false;
  for (const auto& p : (*m13)["parties"])
    if (p["address"] == "ravi@partner.example") unresolved = p["entity"].is_null();
  EXPECT_TRUE(unresolved);
  EXPECT_FALSE((*by_position(r, "#32"))["error"].is_null());
}

TEST_F(DemoPipeline, SecondImportReportsDuplicatesAndAddsNothing) {
  import({"import", source_path("demo/demo.mbox")});
  auto stats1 = run_cli({"--db", db_, "cache", "stats"}).out;
  json r = import({"import", source_path("demo/demo.mbox")}, 0);
  EXPECT_EQ(r["run"]["totals"]["duplicate"], 35);
  // Only the run count changes.
  auto stats2 = run_cli({"--db", db_, "cache", "stats"}).out;
  auto strip_runs = [](std::string s) { return s.substr(0, s.find("  runs")); };
  EXPECT_EQ(strip_runs(stats1), strip_runs(stats2));
  EXPECT_NE(stats2.find("outbox_pending: 21"), std::string::npos) << stats2;
}

TEST_F(DemoPipeline, DryRunLeavesTheDatabaseByteForByteUnchanged) {
  const std::string before = read_file(db_);
  json r = import({"--dry-run", "import", source_path("demo/demo.mbox")});
  EXPECT_TRUE(r["run"]["dry_run"].get<bool>());
  EXPECT_EQ(r["run"]["totals"]["queued"], 21);
  EXPECT_EQ(read_file(db_), before);
  // And a real import afterwards still sees nothing as processed.
  json real = import({"import", source_path("demo/demo.mbox")});
  EXPECT_EQ(real["run"]["totals"]["queued"], 21);
}

TEST_F(DemoPipeline, DryRunWithoutADatabaseIsRefused) {
  // No database, no cache: a dry run would toss everything, which tests nothing.
  auto r = run_cli({"--db", t_.file("none.db"), "--dry-run", "import",
                    source_path("demo/demo.mbox")});
  EXPECT_EQ(r.code, 8) << r.err;
  EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(t_.file("none.db")));
}

TEST_F(DemoPipeline, ForwardMailboxUnwrapsAndRoutesTheInnerMessage) {
  json r = import({"import", "--forward-mailbox", source_path("demo/demo.mbox")});
  const json* m = by_position(r, "#33");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ((*m)["outcome"], "queued");
  EXPECT_EQ((*m)["reason"], "SenderMatch");
  EXPECT_EQ((*m)["message_id"], "order-5521-confirm@adventure-works.example");
  EXPECT_EQ((*m)["forwarded_by"], "diego.siciliani@contoso.example");
  const json* plain = by_position(r, "#1");
  ASSERT_NE(plain, nullptr);
  EXPECT_TRUE((*plain)["forwarded_by"].is_null()) << "not a forward: not unwrapped";
}

TEST_F(DemoPipeline, LimitAndDateFilters) {
  json lim = import({"--dry-run", "import", "--limit", "5", source_path("demo/demo.mbox")}, 0);
  EXPECT_EQ(lim["messages"].size(), 5u);
  json none = import({"--dry-run", "import", "--since", "2100-01-01", source_path("demo/demo.mbox")}, 1);
  // Only the undated, unparseable message is left.
  EXPECT_LE(none["messages"].size(), 1u);
  json all = import({"--dry-run", "import", "--until", "2100-01-01", source_path("demo/demo.mbox")});
  EXPECT_EQ(all["messages"].size(), std::size(kOracle));
}

TEST_F(DemoPipeline, OneBadPathDoesNotStopTheOthers) {
  auto r = run_cli({"--db", db_, "import", t_.file("missing.mbox"), source_path("demo/demo.mbox")});
  EXPECT_EQ(r.code, 7);  // an input that cannot be read wins over the quarantined message (1)
  EXPECT_NE(r.err.find("missing.mbox"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("35 messages"), std::string::npos) << r.out;
}

TEST_F(DemoPipeline, GzipMaildirAndTreeSourcesGiveTheSameDecisions) {
  // gzip the demo mbox
  std::string mbox = read_file(source_path("demo/demo.mbox"));
  {
    gzFile gz = gzopen(t_.file("demo.mbox.gz").c_str(), "wb");
    gzwrite(gz, mbox.data(), static_cast<unsigned>(mbox.size()));
    gzclose(gz);
  }
  json gz = import({"--dry-run", "import", t_.file("demo.mbox.gz")});
  EXPECT_EQ(gz["run"]["totals"]["queued"], 21);

  // A Maildir of the first message and a tree with a copy of it: one queued, one duplicate.
  std::filesystem::create_directories(t_.file("md/cur"));
  std::filesystem::create_directories(t_.file("md/new"));
  std::filesystem::create_directories(t_.file("tree/sub"));
  auto first = mbox.substr(mbox.find('\n') + 1);
  first = first.substr(0, first.find("\nFrom ") + 1);
  t_.write("md/new/1.host", first);
  t_.write("tree/sub/a.eml", first);
  json two = import({"import", t_.file("md"), t_.file("tree")}, 0);
  ASSERT_EQ(two["messages"].size(), 2u);
  EXPECT_EQ(two["messages"][0]["outcome"], "queued");
  EXPECT_EQ(two["messages"][1]["outcome"], "duplicate");
}

TEST(CorpusImport, SpamAssassinMboxThroughTheWholeCommand) {
  TempDir t;
  std::string mbox = std::string(CRMR_CORPUS_DIR) +
                     "/spamassassin-public/easy-ham-mailing-lists.mboxrd";
  if (!std::filesystem::exists(mbox)) GTEST_SKIP() << "corpus missing";
  ASSERT_EQ(run_cli({"--db", t.file("s.db"), "cache", "import", source_path("demo/cache.jsonl")}).code, 0);
  auto r = run_cli({"--db", t.file("s.db"), "--report", t.file("r.json"), "import", mbox});
  EXPECT_EQ(r.code, 0) << r.err;
  json j = json::parse(read_file(t.file("r.json")));
  EXPECT_EQ(j["run"]["messages"], 3900);
  // Again: every message is now a duplicate (keys are stable across runs).
  auto again = run_cli({"--db", t.file("s.db"), "--report", t.file("r2.json"), "import", mbox});
  json j2 = json::parse(read_file(t.file("r2.json")));
  EXPECT_EQ(j2["run"]["totals"]["duplicate"], 3900);
}

}  // namespace
}  // namespace crmr::test
