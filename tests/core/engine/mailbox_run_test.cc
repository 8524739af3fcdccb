// run_mailbox against an in-memory server (FakeMailbox): the order commit ->
// dispose -> cursor, what survives a broken connection or a failed dispose,
// limits, UIDVALIDITY changes, POP3 UIDLs. The same behaviour against a real
// Dovecot is in run_test.cc. Every case runs with one job (no thread), with
// two (parsing on workers while the batch is fetched), and with two read on
// a mailbox thread that reaches the store and pipeline only through a writer
// channel served by the test's thread, as a parallel `run` does
// (kOnMailboxThread).
#include <gtest/gtest.h>

#include <thread>

#include "core/engine/mailbox_cursor.h"
#include "core/engine/mailbox_run.h"
#include "storage/store.h"
#include "tests/support/fake_mailbox.h"
#include "tests/support/result_matchers.h"
#include "tests/support/temp_dir.h"

namespace crmr::test {
namespace {

constexpr std::int64_t kJan2026 = 1767225600;  // 2026-01-01T00:00:00Z
constexpr std::size_t kOnMailboxThread = 0;  // the parameter: two jobs, on a mailbox thread

std::string mail(int n, const std::string& to = "bob@contoso.example",
                 const std::string& date = "Mon, 5 Jan 2026 10:00:00 +0000") {
  return "From: alice@customer.example\r\nTo: " + to + "\r\nSubject: note " + std::to_string(n) +
         "\r\nMessage-ID: <n" + std::to_string(n) + "@customer.example>\r\nDate: " + date +
         "\r\n\r\nbody\r\n";
}

// A server's stand-in for a message it will not serve as it is (Courier POP3
// without UTF8): its sender is no e-mail address.
std::string stand_in() {
  return "From: Mail Delivery Subsystem <postmaster>\r\nTo: bob@contoso.example\r\n"
         "Subject: Cannot display Unicode content\r\n\r\nUse a reader that supports UTF-8.\r\n";
}

class MailboxRunTest : public ::testing::TestWithParam<std::size_t> {
 protected:
  void SetUp() override {
    auto s = Store::open(t_.file("state.db"), OpenMode::ReadWrite);
    ASSERT_OK(s);
    store_ = std::move(*s);
    CrmRecord bob{"systemuser", "u-1", "Bob", true, 0, {"bob@contoso.example"}};
    ASSERT_TRUE(store_->upsert_record(bob));
    m_.name = "box";
    m_.all = true;
    m_.batch_size = 2;
  }

  // One run: a fresh session and pipeline, like `crm-router run`.
  MailboxRunResult run(bool dry_run = false) {
    auto run_id = store_->begin_run("run", "now");
    EXPECT_TRUE(run_id);
    PipelineOptions po;
    po.dry_run = dry_run;
    po.commit_every = 1000;
    po.jobs = GetParam() == kOnMailboxThread ? 2 : GetParam();
    Pipeline p(*store_, po, *run_id, [&](ReportEntry&& e) { outcomes_.push_back(e.outcome); });
    FakeSession s(server_);
    MailboxRunOptions o;
    o.dry_run = dry_run;
    o.run_limit = run_limit_;
    Result<MailboxRunResult> r = MailboxRunResult{};
    if (GetParam() == kOnMailboxThread) {
      WriterChannel writer;
      o.writer = &writer;
      std::jthread mailbox([&] {
        ThreadDone done(writer);
        r = run_mailbox(s, m_, *store_, p, o);
      });
      writer.serve(1);
    } else {
      r = run_mailbox(s, m_, *store_, p, o);
    }
    EXPECT_OK(r);
    return r ? *r : MailboxRunResult{};
  }

  std::int64_t count(const char* table) {
    auto stats = store_->cache_stats();
    return stats ? (*stats)[table] : -1;
  }
  std::optional<FolderCursor> cursor(const std::string& folder = "INBOX") {
    auto c = load_cursor(*store_, "box", folder);
    return c ? *c : std::nullopt;
  }
  int seen_count() {
    int n = 0;
    for (const auto& [uid, msg] : server_.folders["INBOX"]) n += msg.seen;
    return n;
  }

  TempDir t_;
  std::unique_ptr<Store> store_;
  MailboxSettings m_;
  FakeServer server_;
  std::vector<std::string> outcomes_;
  std::optional<std::uint64_t> run_limit_;
};

TEST_P(MailboxRunTest, CommitsThenDisposesThenMovesTheCursorPerBatch) {
  m_.after.kind = Disposition::Seen;
  for (int i = 1; i <= 3; ++i) server_.deliver(mail(i), kJan2026);
  // What another connection finds committed when each disposition starts.
  auto reader = Store::open(t_.file("state.db"), OpenMode::ReadOnly);
  ASSERT_OK(reader);
  std::vector<std::int64_t> committed_at_dispose;
  server_.before_dispose = [&](const std::vector<std::string>&) {
    auto stats = (*reader)->cache_stats();
    committed_at_dispose.push_back(stats ? (*stats)["outbox_pending"] : -1);
  };
  auto r = run();
  EXPECT_EQ(r.fetched, 3u);
  EXPECT_TRUE(r.problems.empty());
  // The next batch is fetched while the writer commits the one before; each
  // is disposed of only once its commit has run.
  const std::vector<std::string> want = {"fetch 1", "fetch 2", "fetch 3", "seen 1,2", "seen 3",
                                         "quit"};
  EXPECT_EQ(server_.log, want);
  ASSERT_EQ(committed_at_dispose.size(), 2u);
  EXPECT_GE(committed_at_dispose[0], 2) << "messages 1 and 2 committed before they are marked seen";
  EXPECT_GE(committed_at_dispose[1], 3) << "message 3 committed before it is marked seen";
  EXPECT_EQ(count("outbox_pending"), 3);
  ASSERT_TRUE(cursor());
  EXPECT_EQ(cursor()->uidvalidity, 7u);
  EXPECT_EQ(cursor()->last_uid, 3u);
}

TEST_P(MailboxRunTest, SecondRunFetchesOnlyNewMail) {
  server_.deliver(mail(1), kJan2026);
  run();
  server_.log.clear();
  EXPECT_EQ(run().fetched, 0u);
  server_.deliver(mail(2), kJan2026);
  EXPECT_EQ(run().fetched, 1u);
  EXPECT_EQ(count("outbox_pending"), 2);
}

TEST_P(MailboxRunTest, FirstRunWithSinceSkipsOlderMailForGood) {
  m_.all = false;
  m_.since = kJan2026;
  server_.deliver(mail(1), kJan2026 - 10 * 86400);  // before since
  server_.deliver(mail(2), kJan2026 + 86400);
  EXPECT_EQ(run().fetched, 1u);
  EXPECT_EQ(cursor()->last_uid, 2u);  // past the old one too: it was listed, and older
  EXPECT_EQ(run().fetched, 0u);
}

// A server that leaves UID 2 out of its answer: the cursor stays at UID 1
// (not UIDNEXT-1), so UID 2 is read once the server lists it.
TEST_P(MailboxRunTest, CursorStopsAtTheLastUidReadNotAtUidnext) {
  server_.deliver(mail(1), kJan2026);
  server_.deliver(mail(2), kJan2026);
  server_.unlisted = {2};
  EXPECT_EQ(run().fetched, 1u);
  EXPECT_EQ(cursor()->last_uid, 1u);
  server_.unlisted.clear();
  EXPECT_EQ(run().fetched, 1u);
  EXPECT_EQ(cursor()->last_uid, 2u);
}

TEST_P(MailboxRunTest, DeleteNeverDeletesAMessageWithoutAUsableSender) {
  m_.after.kind = Disposition::Delete;
  server_.deliver(mail(1), kJan2026);
  server_.deliver(stand_in(), kJan2026);
  server_.deliver(mail(3, "nobody@elsewhere.example"), kJan2026);  // tossed, with a sender
  auto r = run();
  EXPECT_EQ(outcomes_, (std::vector<std::string>{"queued", "tossed", "tossed"}));
  ASSERT_EQ(server_.folders["INBOX"].size(), 1u);
  EXPECT_EQ(server_.folders["INBOX"].begin()->second.bytes, stand_in());
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_NE(r.notes[0].find("kept on the server"), std::string::npos) << r.notes[0];
  EXPECT_EQ(cursor()->last_uid, 3u);
}

TEST_P(MailboxRunTest, DeleteMovesAMessageWithoutAUsableSenderToTheQuarantineFolder) {
  m_.after.kind = Disposition::Delete;
  m_.quarantine_folder = "Quarantine";
  server_.deliver(stand_in(), kJan2026);
  auto r = run();
  EXPECT_TRUE(server_.folders["INBOX"].empty());
  EXPECT_EQ(server_.folders["Quarantine"].size(), 1u);
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_NE(r.notes[0].find("moved to Quarantine"), std::string::npos) << r.notes[0];
}

TEST_P(MailboxRunTest, FirstRunWithoutAStartIsAProblemOfThatMailbox) {
  m_.all = false;
  server_.deliver(mail(1), kJan2026);
  auto r = run();
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].code, Code::ConfigFirstRun);
  EXPECT_EQ(r.fetched, 0u);
}

TEST_P(MailboxRunTest, FailedDisposeKeepsTheCursorAndTheNextRunDisposesTheDuplicates) {
  m_.after.kind = Disposition::Delete;
  for (int i = 1; i <= 2; ++i) server_.deliver(mail(i), kJan2026);
  server_.fail_next_dispose = true;  // as if the process died between commit and dispose
  auto r = run();
  // The dispose only: the logout failing on the same broken connection is
  // not a second problem (each mailbox error is reported once).
  EXPECT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(count("outbox_pending"), 2);     // committed
  EXPECT_EQ(server_.folders["INBOX"].size(), 2u);  // nothing lost
  EXPECT_FALSE(cursor());
  outcomes_.clear();
  r = run();
  EXPECT_TRUE(r.problems.empty());
  EXPECT_EQ(outcomes_, (std::vector<std::string>{"duplicate", "duplicate"}));
  EXPECT_EQ(count("outbox_pending"), 2);                   // nothing twice
  EXPECT_TRUE(server_.folders["INBOX"].empty());   // disposed of now
}

TEST_P(MailboxRunTest, BrokenConnectionMidBatchLosesNothingAndDoublesNothing) {
  m_.after.kind = Disposition::Seen;
  m_.batch_size = 3;
  for (int i = 1; i <= 5; ++i) server_.deliver(mail(i), kJan2026);
  server_.break_after_fetched = 4;  // the second batch breaks after its first message
  auto r = run();
  ASSERT_FALSE(r.problems.empty());
  EXPECT_NE(r.problems[0].message.find("connection lost"), std::string::npos);
  EXPECT_EQ(count("outbox_pending"), 4);     // what was decided is committed
  // The first batch is disposed of once the second has been fetched (the
  // writer commits one while the next is read): the connection broke first,
  // so neither batch is passed, and all four come again as duplicates.
  EXPECT_FALSE(cursor());
  EXPECT_EQ(seen_count(), 0);
  outcomes_.clear();
  r = run();
  EXPECT_TRUE(r.problems.empty());
  EXPECT_EQ(outcomes_,
            (std::vector<std::string>{"duplicate", "duplicate", "duplicate", "duplicate", "queued"}));
  EXPECT_EQ(count("outbox_pending"), 5);
  EXPECT_EQ(seen_count(), 5);
}

TEST_P(MailboxRunTest, UidvalidityChangeRefetchesByDateAndProcessesNothingTwice) {
  for (int i = 1; i <= 3; ++i) server_.deliver(mail(i), kJan2026 + i * 86400);
  run();
  // The server renumbers everything: new UIDVALIDITY, UIDs from 1 again.
  FakeServer renumbered;
  renumbered.uidvalidity = 99;
  for (int i = 1; i <= 4; ++i) renumbered.deliver(mail(i), kJan2026 + i * 86400);
  server_ = renumbered;
  outcomes_.clear();
  auto r = run();
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_NE(r.notes[0].find("UIDVALIDITY changed"), std::string::npos);
  // From the day before the last processed message on: 3 again (duplicate) and 4.
  EXPECT_EQ(outcomes_, (std::vector<std::string>{"duplicate", "duplicate", "queued"}));
  EXPECT_EQ(count("outbox_pending"), 4);
  EXPECT_EQ(cursor()->uidvalidity, 99u);
  EXPECT_EQ(cursor()->last_uid, 4u);
}

TEST_P(MailboxRunTest, QuarantinedMessagesGoToTheQuarantineFolder) {
  m_.after = {Disposition::Move, "Processed"};
  m_.quarantine_folder = "Quarantine";
  server_.deliver(mail(1), kJan2026);
  server_.deliver("this is not an e-mail message at all\r\n", kJan2026);
  run();
  EXPECT_EQ(count("quarantine"), 1);
  EXPECT_EQ(server_.folders["Quarantine"].size(), 1u);
  EXPECT_EQ(server_.folders["Processed"].size(), 1u);
  EXPECT_TRUE(server_.folders["INBOX"].empty());
}

TEST_P(MailboxRunTest, QuarantinedMessagesStayWithoutAQuarantineFolder) {
  m_.after.kind = Disposition::Delete;
  server_.deliver("not a message\r\n", kJan2026);
  run();
  EXPECT_EQ(server_.folders["INBOX"].size(), 1u);
  EXPECT_EQ(cursor()->last_uid, 1u);
}

// A crash between commit and cursor save: the rerun finds the unparseable
// message in the ledger (a duplicate now) and still disposes of it as a
// quarantined one, as the clean run would have.
TEST_P(MailboxRunTest, RefetchedQuarantinedMessageStillGoesToTheQuarantineFolder) {
  m_.after = {Disposition::Move, "Processed"};
  m_.quarantine_folder = "Quarantine";
  server_.deliver(mail(1), kJan2026);
  server_.deliver("this is not an e-mail message at all\r\n", kJan2026);
  server_.fail_next_dispose = true;  // committed, then nothing disposed of, no cursor
  run();
  EXPECT_EQ(count("quarantine"), 1);
  EXPECT_EQ(server_.folders["INBOX"].size(), 2u);
  EXPECT_FALSE(cursor());
  outcomes_.clear();
  auto r = run();
  EXPECT_TRUE(r.problems.empty());
  EXPECT_EQ(outcomes_, (std::vector<std::string>{"duplicate", "duplicate"}));
  EXPECT_EQ(server_.folders["Quarantine"].size(), 1u);
  EXPECT_EQ(server_.folders["Processed"].size(), 1u);
  EXPECT_TRUE(server_.folders["INBOX"].empty());
  EXPECT_EQ(count("quarantine"), 1);  // nothing twice
}

TEST_P(MailboxRunTest, RefetchedQuarantinedMessageStaysWithoutAQuarantineFolder) {
  m_.after = {Disposition::Move, "Processed"};
  server_.deliver("not a message\r\n", kJan2026);
  server_.deliver(mail(1), kJan2026);
  server_.fail_next_dispose = true;
  run();
  run();
  ASSERT_EQ(server_.folders["INBOX"].size(), 1u);
  EXPECT_EQ(server_.folders["INBOX"].begin()->second.bytes, "not a message\r\n");
  EXPECT_EQ(server_.folders["Processed"].size(), 1u);
}

TEST_P(MailboxRunTest, MessageLimitEndsCleanlyAndTheNextRunGoesOn) {
  m_.after.kind = Disposition::Seen;
  m_.max_messages_per_run = 3;
  for (int i = 1; i <= 5; ++i) server_.deliver(mail(i), kJan2026);
  auto r = run();
  EXPECT_TRUE(r.limit_reached);
  EXPECT_EQ(r.fetched, 3u);
  EXPECT_EQ(cursor()->last_uid, 3u);
  EXPECT_EQ(seen_count(), 3);
  r = run();
  EXPECT_EQ(r.fetched, 2u);
  EXPECT_EQ(count("outbox_pending"), 5);
}

TEST_P(MailboxRunTest, ByteLimitStopsAtAMessageBoundary) {
  m_.max_bytes_per_run = mail(1).size() + 10;
  m_.batch_size = 10;
  for (int i = 1; i <= 3; ++i) server_.deliver(mail(i), kJan2026);
  auto r = run();
  EXPECT_TRUE(r.limit_reached);
  EXPECT_EQ(r.fetched, 1u);
  EXPECT_EQ(cursor()->last_uid, 1u);
  EXPECT_EQ(run().fetched, 1u);
}

TEST_P(MailboxRunTest, RunLimitCountsAcrossTheRun) {
  run_limit_ = 2;
  for (int i = 1; i <= 3; ++i) server_.deliver(mail(i), kJan2026);
  EXPECT_EQ(run().fetched, 2u);
}

TEST_P(MailboxRunTest, DryRunDisposesOfNothingAndMovesNoCursor) {
  m_.after.kind = Disposition::Delete;
  for (int i = 1; i <= 3; ++i) server_.deliver(mail(i), kJan2026);
  auto r = run(/*dry_run=*/true);
  EXPECT_EQ(r.fetched, 3u);
  EXPECT_EQ(server_.folders["INBOX"].size(), 3u);
  EXPECT_FALSE(cursor());
}

INSTANTIATE_TEST_SUITE_P(Jobs, MailboxRunTest, ::testing::Values(1, 2, kOnMailboxThread));

// --- POP3

class Pop3RunTest : public MailboxRunTest {
 protected:
  void SetUp() override {
    MailboxRunTest::SetUp();
    server_.pop3 = true;
  }
  std::vector<std::string> seen() { return *store_->pop3_seen("box"); }
};

TEST_P(Pop3RunTest, LeaveRemembersUidlsAndFetchesOnlyNewOnes) {
  for (int i = 1; i <= 3; ++i) server_.deliver(mail(i), kJan2026);
  EXPECT_EQ(run().fetched, 3u);
  EXPECT_EQ(seen().size(), 3u);
  server_.deliver(mail(4), kJan2026);
  EXPECT_EQ(run().fetched, 1u);
  EXPECT_EQ(server_.folders["INBOX"].size(), 4u);
}

TEST_P(Pop3RunTest, DeleteSendsDeleAfterCommitAndItTakesEffectAtQuit) {
  m_.after.kind = Disposition::Delete;
  for (int i = 1; i <= 2; ++i) server_.deliver(mail(i), kJan2026);
  run();
  EXPECT_EQ(server_.log, (std::vector<std::string>{"fetch U1", "fetch U2", "delete U1,U2", "quit"}));
  EXPECT_TRUE(server_.folders["INBOX"].empty());
  EXPECT_EQ(count("outbox_pending"), 2);
}

TEST_P(Pop3RunTest, RefetchedQuarantinedMessageIsNotDeleted) {
  m_.after.kind = Disposition::Delete;
  server_.deliver("not a message\r\n", kJan2026);
  server_.deliver(mail(1), kJan2026);
  server_.fail_next_dispose = true;  // committed; no DELE, no UIDL remembered
  run();
  EXPECT_EQ(server_.folders["INBOX"].size(), 2u);
  EXPECT_TRUE(seen().empty());
  outcomes_.clear();
  run();
  EXPECT_EQ(outcomes_, (std::vector<std::string>{"duplicate", "duplicate"}));
  // As on a clean run: the quarantined one stays on the server, remembered as seen.
  ASSERT_EQ(server_.folders["INBOX"].size(), 1u);
  EXPECT_EQ(server_.folders["INBOX"].begin()->second.bytes, "not a message\r\n");
  EXPECT_EQ(seen(), std::vector<std::string>{"U1"});
}

TEST_P(Pop3RunTest, SinceReadsHeadersFirstAndLeavesOlderMailUnreadAndUnremembered) {
  m_.all = false;
  m_.since = kJan2026;
  server_.deliver(mail(1, "bob@contoso.example", "Tue, 2 Dec 2025 10:00:00 +0000"), 0);
  server_.deliver(mail(2), 0);
  auto r = run();
  EXPECT_EQ(r.fetched, 1u);
  EXPECT_EQ(r.skipped_by_date, 1u);
  EXPECT_EQ(server_.log, (std::vector<std::string>{"top U1", "top U2", "fetch U2", "quit"}));
  EXPECT_EQ(seen(), std::vector<std::string>{"U2"});
  r = run();
  EXPECT_EQ(r.fetched, 0u);
  EXPECT_EQ(r.skipped_by_date, 1u);  // looked at again, counted again, still on the server
  EXPECT_EQ(server_.folders["INBOX"].size(), 2u);
}

TEST_P(Pop3RunTest, DeleteKeepsAStandInOnTheServer) {
  m_.after.kind = Disposition::Delete;
  server_.deliver(stand_in(), kJan2026);
  server_.deliver(mail(2), kJan2026);
  run();
  ASSERT_EQ(server_.folders["INBOX"].size(), 1u);
  EXPECT_EQ(server_.folders["INBOX"].begin()->second.bytes, stand_in());
  EXPECT_EQ(seen(), std::vector<std::string>{"U1"});
}

TEST_P(Pop3RunTest, UidlsGoneFromTheServerAreForgotten) {
  for (int i = 1; i <= 2; ++i) server_.deliver(mail(i), kJan2026);
  run();
  server_.folders["INBOX"].erase(1);  // deleted by someone else
  run();
  EXPECT_EQ(seen(), std::vector<std::string>{"U2"});
}

TEST_P(Pop3RunTest, LostConnectionBeforeQuitKeepsTheMailForTheNextRun) {
  m_.after.kind = Disposition::Delete;
  server_.deliver(mail(1), kJan2026);
  server_.break_after_fetched = 1;  // breaks when the logout would start
  m_.batch_size = 1;
  server_.deliver(mail(2), kJan2026);
  run();
  EXPECT_EQ(server_.folders["INBOX"].size(), 2u);  // DELE never took effect
  outcomes_.clear();
  run();
  EXPECT_TRUE(server_.folders["INBOX"].empty());
  EXPECT_EQ(count("outbox_pending"), 2);
}

INSTANTIATE_TEST_SUITE_P(Jobs, Pop3RunTest, ::testing::Values(1, 2, kOnMailboxThread));

}  // namespace
}  // namespace crmr::test
