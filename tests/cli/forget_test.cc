// `forget` and `explain` where the administrator stands, end to end on real
// database files: mail routed with a wrong setting (Adele's filtering method
// says "correlated mail only" where "all mail" was meant) is forgotten and
// imported again, decided afresh; what reached the CRM's outbox is not
// forgotten without --force; `explain FILE#N`, `--ignore-ledger` and
// `--quarantine ID`. The recipe of README runs the crm-router binary itself.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/exit_codes.h"
#include "storage/store.h"
#include "tests/cli/cli_harness.h"

namespace crmr::test {
namespace {

using nlohmann::json;

// Jane Doe (a contact) writes to Adele (a CRM user, filtering method 1 in the
// demo cache: tossed) or to Megan (method 0: queued).
std::string note(int n, const std::string& to) {
  return "From: Jane Doe <jane.doe@fabrikam.example>\nTo: " + to + "\nSubject: Note " +
         std::to_string(n) + "\nDate: Fri, 01 May 2026 10:00:00 +0000\nMessage-ID: <note-" +
         std::to_string(n) + "@fabrikam.example>\n\nNote " + std::to_string(n) + ".\n";
}
constexpr const char* kAdele = "adele.vance@contoso.example";
constexpr const char* kMegan = "megan.bowen@contoso.example";

// The right setting: Adele takes all mail (filtering method 0).
constexpr const char* kAdeleTakesAll =
    R"({"entity": "systemuser", "systemuserid": "f8f3e45d-c163-55a0-b0e8-b42af0f7f3c4", )"
    R"("fullname": "Adele Vance", "internalemailaddress": "adele.vance@contoso.example", )"
    R"("isdisabled": false, "incomingemailfilteringmethod": 0})"
    "\n";

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class Forget : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = t_.file("state.db");
    ASSERT_EQ(cli({"cache", "import", source_path("demo/cache.jsonl")}).code, 0);
    mbox_ = t_.write("notes.mbox", "From jane Fri May  1 10:00:00 2026\n" + note(1, kAdele) +
                                       "\nFrom jane Fri May  1 10:00:00 2026\n" + note(2, kAdele) +
                                       "\nFrom jane Fri May  1 10:00:00 2026\n" + note(3, kMegan));
  }
  CliResult cli(std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", db_});
    return run_cli(args);
  }
  // Outcome per Message-ID of the last import (its JSON report).
  std::map<std::string, std::string> import_outcomes() {
    auto r = cli({"--report", t_.file("r.json"), "import", mbox_});
    EXPECT_TRUE(r.code == kExitOk) << r.out << r.err;
    std::map<std::string, std::string> out;
    const json doc = json::parse(read_file(t_.file("r.json")));
    for (const auto& m : doc["messages"]) out[m["message_id"]] = m["outcome"];
    return out;
  }
  std::int64_t stat(const char* what) {
    auto s = Store::open(db_, OpenMode::ReadOnly);
    return s ? (*(*s)->cache_stats())[what] : -1;
  }

  TempDir t_;
  std::string db_;
  std::string mbox_;
};

const std::map<std::string, std::string> kWrong = {{"note-1@fabrikam.example", "tossed"},
                                                   {"note-2@fabrikam.example", "tossed"},
                                                   {"note-3@fabrikam.example", "queued"}};

TEST_F(Forget, RoutesAgainWhatAWrongSettingTossed) {
  ASSERT_EQ(import_outcomes(), kWrong);
  ASSERT_EQ(cli({"cache", "import", t_.write("fix.jsonl", kAdeleTakesAll)}).code, 0);

  // A dry run lists exactly the two tossed ones of run 1 and changes nothing.
  auto dry = cli({"forget", "--run", "1", "--dry-run"});
  ASSERT_EQ(dry.code, kExitOk) << dry.err;
  EXPECT_TRUE(has(dry.out, "would forget\t<note-1@fabrikam.example>\ttossed\t")) << dry.out;
  EXPECT_TRUE(has(dry.out, "would forget\t<note-2@fabrikam.example>\ttossed\t")) << dry.out;
  EXPECT_FALSE(has(dry.out, "note-3")) << dry.out;
  EXPECT_TRUE(has(dry.out, "dry run: would forget 2 message(s) (2 tossed); nothing changed"));
  EXPECT_TRUE(has(dry.err, "left in the ledger: 1 queued (--force forgets them too")) << dry.err;
  EXPECT_EQ(stat("ledger"), 3);

  auto done = cli({"forget", "--run", "1"});
  ASSERT_EQ(done.code, kExitOk) << done.err;
  EXPECT_TRUE(has(done.out, "forgot 2 message(s) (2 tossed)")) << done.out;
  EXPECT_EQ(stat("ledger"), 1);
  EXPECT_EQ(stat("outbox_pending"), 1);

  // Imported again: the forgotten two are decided afresh, the third is a duplicate.
  const std::map<std::string, std::string> again = {{"note-1@fabrikam.example", "queued"},
                                                    {"note-2@fabrikam.example", "queued"},
                                                    {"note-3@fabrikam.example", "duplicate"}};
  EXPECT_EQ(import_outcomes(), again);
  EXPECT_EQ(stat("outbox_pending"), 3);

  // The first run's report still says what happened then.
  auto old = cli({"report", "--run", "1", "--format", "json"});
  ASSERT_EQ(old.code, kExitOk) << old.err;
  std::map<std::string, std::string> then;
  const json doc = json::parse(old.out);
  for (const auto& m : doc["messages"]) then[m["message_id"]] = m["outcome"];
  EXPECT_EQ(then, kWrong);
}

TEST_F(Forget, LeavesQueuedAndPushedMailUnlessForced) {
  ASSERT_EQ(import_outcomes(), kWrong);
  auto r = cli({"forget", "--outcome", "queued"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_TRUE(has(r.out, "no message in the ledger matches") || r.out.empty()) << r.out;
  EXPECT_TRUE(has(r.err, "left in the ledger: 1 queued")) << r.err;
  EXPECT_EQ(stat("ledger"), 3);
  EXPECT_EQ(stat("outbox_pending"), 1);

  // Forced: the queued copy leaves the outbox with its ledger row, so the
  // message is queued again (once) with the new decision.
  r = cli({"forget", "--message-id", "note-3@fabrikam.example", "--force"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_TRUE(has(r.out, "forgot 1 message(s) (1 queued)")) << r.out;
  EXPECT_EQ(stat("ledger"), 2);
  EXPECT_EQ(stat("outbox_pending"), 0);
  auto again = import_outcomes();
  EXPECT_EQ(again["note-3@fabrikam.example"], "queued");
  EXPECT_EQ(stat("outbox_pending"), 1);
}

TEST_F(Forget, SelectsByMessageIdKeyAndReason) {
  ASSERT_EQ(import_outcomes(), kWrong);
  // Angle brackets or not, the same Message-ID.
  auto r = cli({"forget", "--message-id", "<note-1@FABRIKAM.example>", "--dry-run"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_TRUE(has(r.out, "would forget 1 message(s) (1 tossed)")) << r.out;
  r = cli({"forget", "--key", "note-2@fabrikam.example", "--reason", "NoSuchReason", "--dry-run"});
  EXPECT_TRUE(has(r.out, "no message in the ledger matches")) << r.out;
  r = cli({"forget", "--key", "note-2@fabrikam.example"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_TRUE(has(r.out, "forgot 1 message(s) (1 tossed)")) << r.out;
  EXPECT_EQ(stat("ledger"), 2);
}

TEST_F(Forget, RefusesWhatItMustNotDoAndChangesNothing) {
  ASSERT_EQ(import_outcomes(), kWrong);
  auto r = cli({"forget"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_TRUE(has(r.err, "say what to forget")) << r.err;
  r = cli({"forget", "--outcome", "quarantined"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_TRUE(has(r.err, "quarantine retry")) << r.err;
  r = cli({"forget", "--run", "7"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_TRUE(has(r.err, "no run 7")) << r.err;
  EXPECT_EQ(stat("ledger"), 3);
}

// explain FILE#N: only message N, numbered as the report numbers it.
TEST_F(Forget, ExplainsMessageNOfAnMbox) {
  auto r = cli({"explain", mbox_ + "#2"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_TRUE(has(r.out, "== " + mbox_ + " #2\n")) << r.out;
  EXPECT_TRUE(has(r.out, "Subject: Note 2\n")) << r.out;
  EXPECT_FALSE(has(r.out, "Note 1")) << r.out;
  EXPECT_FALSE(has(r.out, "Note 3")) << r.out;
  r = cli({"explain", mbox_ + "#9"});
  EXPECT_EQ(r.code, kExitInput);
  EXPECT_TRUE(has(r.err, "has no message #9 (it has 3")) << r.err;
}

// A message already imported is a duplicate; --ignore-ledger decides it anew and says so.
TEST_F(Forget, ExplainIgnoresTheLedgerWhenAsked) {
  ASSERT_EQ(import_outcomes(), kWrong);
  auto r = cli({"explain", mbox_ + "#1"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_TRUE(has(r.out, "  Ledger: tossed (")) << r.out;
  EXPECT_TRUE(has(r.out, "--ignore-ledger decides it as new")) << r.out;
  EXPECT_TRUE(has(r.out, "=> duplicate (Duplicate)")) << r.out;

  r = cli({"explain", "--ignore-ledger", mbox_ + "#1"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_TRUE(has(r.out, "ignored (--ignore-ledger): decided as if new")) << r.out;
  EXPECT_TRUE(has(r.out, "[ ] duplicate.ledger: message key note-1@fabrikam.example is in the "
                         "ledger as tossed")) << r.out;
  EXPECT_TRUE(has(r.out, "=> tossed (")) << r.out;
  EXPECT_FALSE(has(r.out, "=> duplicate")) << r.out;
}

TEST_F(Forget, ExplainsAQuarantineItemAsRetryWould) {
  // One message with no header at all: quarantined at import.
  const std::string bare = t_.write("bare.mbox", "From x Fri May  1 10:00:00 2026\n\x01\x02\n");
  ASSERT_EQ(cli({"import", bare}).code, kExitPartial);
  auto r = cli({"explain", "--quarantine", "1"});
  EXPECT_EQ(r.code, kExitPartial) << r.err;
  EXPECT_TRUE(has(r.out, "== quarantine item 1: " + bare + " #1 (")) << r.out;
  EXPECT_TRUE(has(r.out, "=> quarantined (ParseError)")) << r.out;
  r = cli({"explain", "--quarantine", "5"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_TRUE(has(r.err, "no quarantine item 5")) << r.err;
  r = cli({"explain"});
  EXPECT_EQ(r.code, kExitUsage);
}

// README's recipe, as an administrator types it: the crm-router binary.
TEST_F(Forget, ReadmeRecipeWithTheBinary) {
  const std::string log = t_.file("log");
  auto admin = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", db_});
    return run_binary(args, "", log);
  };
  EXPECT_EQ(admin({"import", mbox_}), 0);
  EXPECT_EQ(admin({"cache", "import", t_.write("fix.jsonl", kAdeleTakesAll)}), 0);
  EXPECT_EQ(admin({"forget", "--run", "1", "--dry-run"}), 0);
  EXPECT_EQ(admin({"forget", "--run", "1"}), 0);
  EXPECT_EQ(admin({"import", mbox_}), 0);
  const std::string out = read_file(log);
  EXPECT_TRUE(has(out, "3 messages in")) << out;
  EXPECT_TRUE(has(out, "0 pushed, 1 queued, 0 duplicate, 2 tossed")) << out;
  EXPECT_TRUE(has(out, "forgot 2 message(s) (2 tossed)")) << out;
  EXPECT_TRUE(has(out, "0 pushed, 2 queued, 1 duplicate, 0 tossed")) << out;
}

}  // namespace
}  // namespace crmr::test
