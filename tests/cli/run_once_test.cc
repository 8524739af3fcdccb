// `run --once` (and `--folder`) against a real Dovecot: mail routed with a
// wrong setting and moved to Processed is forgotten, then read once from
// Processed and decided afresh, without touching any cursor and leaving every
// message where it is. Skipped when dovecot is not installed.
#include <gtest/gtest.h>

#include <algorithm>

#include "cli/exit_codes.h"
#include "core/engine/mailbox_cursor.h"
#include "storage/store.h"
#include "tests/cli/run_fixture.h"

namespace crmr::test {
namespace {

// Alice (a contact) to `to`: Bob takes all mail; Carol is no CRM user (yet).
std::string mail(int n, const std::string& to) {
  return "From: alice@customer.example\r\nTo: " + to + "\r\nSubject: note " + std::to_string(n) +
         "\r\nMessage-ID: <once" + std::to_string(n) +
         "@customer.example>\r\nDate: Mon, 5 Jan 2026 10:00:00 +0000\r\n\r\nbody\r\n";
}

// The setting that was wrong: Carol, a CRM user taking all mail, was missing.
constexpr const char* kCarol =
    R"({"entity": "systemuser", "systemuserid": "11111111-0000-0000-0000-000000000003", )"
    R"("fullname": "Carol Sales", "internalemailaddress": "carol@contoso.example", )"
    R"("isdisabled": false, "incomingemailfilteringmethod": 0})"
    "\n";

class RunOnce : public DovecotRunTest {
 protected:
  std::optional<std::string> state(const std::string& key) {
    auto s = Store::open(db_, OpenMode::ReadOnly);
    if (!s) return std::nullopt;
    auto v = (*s)->state_get(key);
    return v ? *v : std::nullopt;
  }
  // `run` with its own options, e.g. --once.
  CliResult run_with(const std::string& cfg, std::vector<std::string> run_args) {
    std::vector<std::string> args = {"--config", cfg, "--report", t_.file("r.json"), "run"};
    args.insert(args.end(), run_args.begin(), run_args.end());
    return run_cli(args);
  }
  std::vector<std::string> sorted_outcomes() {
    auto o = outcomes();
    std::sort(o.begin(), o.end());
    return o;
  }
};

TEST_F(RunOnce, ReadsAProcessedFolderOnceWithoutItsCursorAndLeavesMailThere) {
  server_->deliver(user_, "m1", mail(1, "carol@contoso.example"));
  server_->deliver(user_, "m2", mail(2, "carol@contoso.example"));
  server_->deliver(user_, "m3", mail(3, "bob@contoso.example"));
  auto cfg =
      config(mailbox("inbox", server_->imap_url(), "all = true\nafter = \"move:Processed\""));
  auto r = run(cfg);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(sorted_outcomes(), (std::vector<std::string>{"queued", "tossed", "tossed"}));
  EXPECT_EQ(server_->flags(user_).size(), 0u);
  EXPECT_EQ(server_->flags(user_, "Processed").size(), 3u);
  const auto inbox_cursor = state("cursor/inbox/INBOX");
  ASSERT_TRUE(inbox_cursor);

  // The setting is put right; the tossed ones are forgotten.
  ASSERT_EQ(run_cli({"--db", db_, "cache", "import", t_.write("carol.jsonl", kCarol)}).code, 0);
  r = run_cli({"--config", cfg, "forget", "--outcome", "tossed"});
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_NE(r.out.find("forgot 2 message(s) (2 tossed)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("mailbox inbox: crm-router run --mailbox inbox --once"), std::string::npos)
      << r.out;

  // A plain run does not see them again: they are in Processed, behind no cursor of INBOX.
  r = run(cfg);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(outcomes().empty());

  // Read once from Processed: decided afresh, the third one a duplicate.
  r = run_with(cfg, {"--mailbox", "inbox", "--folder", "Processed", "--once"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(sorted_outcomes(), (std::vector<std::string>{"duplicate", "queued", "queued"}));
  EXPECT_EQ(report()["messages"][0]["source"], "inbox/Processed");
  // Nothing moved or flagged, no cursor made or moved.
  EXPECT_EQ(server_->flags(user_, "Processed").size(), 3u);
  EXPECT_EQ(count_flag(server_->flags(user_, "Processed"), 'S'), 0);
  EXPECT_EQ(server_->flags(user_).size(), 0u);
  EXPECT_FALSE(state("cursor/inbox/Processed"));
  EXPECT_EQ(state("cursor/inbox/INBOX"), inbox_cursor);

  // Once more: everything is in the ledger now.
  r = run_with(cfg, {"--mailbox", "inbox", "--folder", "Processed", "--once"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(sorted_outcomes(), (std::vector<std::string>{"duplicate", "duplicate", "duplicate"}));
}

TEST_F(RunOnce, FolderWithoutOnceIsAUsageError) {
  auto cfg = config(mailbox("inbox", server_->imap_url(), "all = true"));
  auto r = run_with(cfg, {"--folder", "Processed"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("give --once too"), std::string::npos) << r.err;
}

// POP3 keeps the UIDLs it has seen: --once reads every message again, and
// neither deletes one nor records it as seen.
TEST_F(RunOnce, Pop3OnceReadsEveryMessageAndDeletesNone) {
  server_->deliver(user_, "p1", mail(1, "carol@contoso.example"));
  auto cfg = config(mailbox("pop", server_->pop3_url(), "all = true\nafter = \"leave\""));
  auto r = run(cfg);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(outcomes(), std::vector<std::string>{"tossed"});
  ASSERT_EQ(run_cli({"--db", db_, "cache", "import", t_.write("carol.jsonl", kCarol)}).code, 0);
  ASSERT_EQ(run_cli({"--config", cfg, "forget", "--message-id", "once1@customer.example"}).code, 0);
  r = run(cfg);
  EXPECT_TRUE(outcomes().empty()) << r.out;
  auto del = config(mailbox("pop", server_->pop3_url(), "all = true\nafter = \"delete\""));
  r = run_with(del, {"--once"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(outcomes(), std::vector<std::string>{"queued"});
  EXPECT_EQ(server_->flags(user_).size(), 1u);  // --once leaves it on the server
}

}  // namespace
}  // namespace crmr::test
