// `run` and `check` end to end against a real Dovecot: cursors, dispositions,
// POP3, forward mailbox, failing mailboxes, quarantine, the lock, dry run, a
// server killed mid-batch. Skipped when dovecot is not installed.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <nlohmann/json.hpp>

#include "cli/config/mailbox_config.h"
#include "core/engine/mailbox_run.h"
#include "cli/platform.h"
#include "storage/store.h"
#include "tests/cli/cli_harness.h"
#include "tests/cli/dovecot_fixture.h"
#include "tests/cli/run_fixture.h"
#include "tests/support/result_matchers.h"

namespace crmr::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

std::string mail(int n, const std::string& to = "bob@contoso.example") {
  return "From: alice@customer.example\r\nTo: " + to + "\r\nSubject: note " + std::to_string(n) +
         "\r\nMessage-ID: <n" + std::to_string(n) +
         "@customer.example>\r\nDate: Mon, 5 Jan 2026 10:00:00 +0000\r\n\r\nbody " +
         std::to_string(n) + "\r\n";
}

class RunTest : public DovecotRunTest {};

TEST_F(RunTest, FirstRunFromAStartDateThenOnlyNewMail) {
  server_->deliver(user_, "old", mail(1), std::chrono::system_clock::now() - 24h * 400);
  server_->deliver(user_, "new1", mail(2));
  auto cfg = config(mailbox("inbox", server_->imap_url(), "since = 2020-01-01\nafter = \"seen\""));
  // A since date between the two received dates.
  auto cutoff = std::chrono::system_clock::now() - 24h * 30;
  std::time_t tt = std::chrono::system_clock::to_time_t(cutoff);
  char date[16];
  std::strftime(date, sizeof date, "%Y-%m-%d", std::gmtime(&tt));
  cfg = config(mailbox("inbox", server_->imap_url(), std::string("since = ") + date +
                                                         "\nafter = \"seen\""));
  auto r = run(cfg);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(outcomes(), std::vector<std::string>{"queued"});
  EXPECT_EQ(report()["messages"][0]["source"], "inbox/INBOX");
  EXPECT_EQ(report()["messages"][0]["position"].get<std::string>().rfind("UID ", 0), 0u);

  r = run(cfg);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(outcomes().empty());

  server_->deliver(user_, "new2", mail(3));
  r = run(cfg);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(outcomes(), std::vector<std::string>{"queued"});
  auto f = server_->flags(user_);
  EXPECT_EQ(f["old"], "");   // before since: untouched
  EXPECT_EQ(f["new1"], "S");
  EXPECT_EQ(f["new2"], "S");
}

TEST_F(RunTest, FirstRunWithoutAStartIsAConfigErrorThatSaysSo) {
  auto cfg = config(mailbox("inbox", server_->imap_url(), ""));
  auto r = run(cfg);
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("c.toml:2:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("all = true"), std::string::npos) << r.err;
}

struct DispositionCase {
  const char* after;
  const char* inbox_flags;  // flags left on the message in INBOX; nullptr: gone
  const char* moved_to;     // folder it ends up in
};

TEST_F(RunTest, EveryImapDisposition) {
  const DispositionCase cases[] = {
      {"leave", "", nullptr}, {"seen", "S", nullptr}, {"move:Processed", nullptr, "Processed"},
      {"delete", nullptr, nullptr}};
  int n = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.after);
    user_ += "d";  // a fresh, empty mailbox per case
    server_->add_user(user_, "right-password");
    std::string file = std::string("m-") + std::to_string(++n);
    server_->deliver(user_, file, mail(100 + n));
    auto cfg = config(mailbox("box" + std::to_string(n), server_->imap_url(),
                              std::string("all = true\nafter = \"") + c.after + "\""));
    auto r = run(cfg);
    ASSERT_EQ(r.code, 0) << r.err;
    auto f = server_->flags(user_);
    if (c.inbox_flags) {
      ASSERT_TRUE(f.count(file));
      EXPECT_EQ(f[file], c.inbox_flags);
    } else {
      EXPECT_FALSE(f.count(file));
    }
    if (c.moved_to) {
      EXPECT_EQ(server_->flags(user_, c.moved_to).size(), 1u);
    }
    EXPECT_EQ(stat("outbox_pending"), n);
  }
}

TEST_F(RunTest, Pop3LeaveThenDelete) {
  server_->deliver(user_, "p1", mail(201));
  server_->deliver(user_, "p2", mail(202));
  auto cfg = config(mailbox("pop", server_->pop3_url(), "all = true\nafter = \"leave\""));
  auto r = run(cfg);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(outcomes().size(), 2u);
  EXPECT_EQ(report()["messages"][0]["position"].get<std::string>().rfind("UIDL ", 0), 0u);
  r = run(cfg);
  EXPECT_TRUE(outcomes().empty());  // UIDLs remembered
  EXPECT_EQ(server_->flags(user_).size(), 2u);

  server_->deliver(user_, "p3", mail(203));
  cfg = config(mailbox("pop2", server_->pop3_url(), "all = true\nafter = \"delete\""));
  r = run(cfg);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(outcomes(), (std::vector<std::string>{"duplicate", "duplicate", "queued"}));
  EXPECT_TRUE(server_->flags(user_).empty());
  EXPECT_EQ(stat("outbox_pending"), 3);
}

TEST_F(RunTest, ForwardMailboxRoutesTheInnerMessage) {
  const std::string fwd =
      "From: Bob <bob@contoso.example>\r\nTo: crm-forward@contoso.example\r\n"
      "Subject: FW: order\r\nMessage-ID: <outer-9@contoso.example>\r\n"
      "Date: Mon, 5 Jan 2026 11:00:00 +0000\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n"
      "Content-Type: text/plain\r\n\r\nplease file\r\n--b\r\nContent-Type: message/rfc822\r\n\r\n" +
      mail(301, "someone@elsewhere.example") + "\r\n--b--\r\n";
  server_->deliver(user_, "fwd", fwd);
  auto cfg = config(mailbox("forward", server_->imap_url(), "all = true\nrole = \"forward\""));
  auto r = run(cfg);
  ASSERT_EQ(r.code, 0) << r.err;
  auto m = report()["messages"][0];
  EXPECT_EQ(m["message_id"], "n301@customer.example");
  EXPECT_EQ(m["outcome"], "queued") << m.dump();
}

TEST_F(RunTest, WrongPasswordSkipsThatMailboxOnlyAndExitsFour) {
  server_->deliver(user_, "w1", mail(401));
  auto cfg = config(mailbox("bad", server_->imap_url(), "all = true", "CRMR_TEST_BAD_PW") +
                    mailbox("good", server_->imap_url(), "all = true"));
  auto r = run(cfg);
  EXPECT_EQ(r.code, 4) << r.err;
  EXPECT_NE(r.err.find("mailbox bad"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("wrong-password"), std::string::npos) << r.err;
  EXPECT_EQ(outcomes(), std::vector<std::string>{"queued"});  // the good one ran

  auto c = run(cfg, {"check"});
  EXPECT_EQ(c.code, 4);
  EXPECT_NE(c.out.find("mailbox good"), std::string::npos) << c.out;
}

TEST_F(RunTest, UnparseableMessageIsQuarantinedAndMovedAndTheRunGoesOn) {
  server_->deliver(user_, "bad", "this is not an e-mail message\r\n");
  server_->deliver(user_, "ok", mail(501));
  auto cfg = config(mailbox("inbox", server_->imap_url(),
                            "all = true\nafter = \"seen\"\nquarantine_folder = \"Quarantine\""));
  auto r = run(cfg);
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_EQ(outcomes(), (std::vector<std::string>{"quarantined", "queued"}));
  EXPECT_EQ(server_->flags(user_, "Quarantine").size(), 1u);
  auto f = server_->flags(user_);
  EXPECT_FALSE(f.count("bad"));
  EXPECT_EQ(f["ok"], "S");
}

TEST_F(RunTest, UidvalidityChangeProcessesNothingTwice) {
  for (int i = 1; i <= 3; ++i) server_->deliver(user_, "v" + std::to_string(i), mail(600 + i));
  auto cfg = config(mailbox("inbox", server_->imap_url(), "all = true"));
  ASSERT_EQ(run(cfg).code, 0);
  EXPECT_EQ(stat("outbox_pending"), 3);
  server_->reset_uids(user_);
  server_->deliver(user_, "v4", mail(604));
  auto r = run(cfg);
  ASSERT_EQ(r.code, 0) << r.err;
  auto o = outcomes();
  EXPECT_EQ(std::count(o.begin(), o.end(), "queued"), 1);
  EXPECT_EQ(std::count(o.begin(), o.end(), "duplicate"), 3);
  EXPECT_EQ(stat("outbox_pending"), 4);
  EXPECT_TRUE(outcomes().size() == 4u);
  r = run(cfg);
  EXPECT_TRUE(outcomes().empty());
}

TEST_F(RunTest, SecondRunWhileTheLockIsHeldExitsFive) {
  auto cfg = config(mailbox("inbox", server_->imap_url(), "all = true"));
  auto held = platform::try_lock_file(db_ + ".lock");
  ASSERT_EQ(held.kind, platform::LockAttempt::Acquired);
  auto r = run(cfg);
  EXPECT_EQ(r.code, 5);
  EXPECT_NE(r.err.find("another crm-router run holds the lock on " + db_ + " (pid " +
                       std::to_string(::getpid()) + "); retry later"),
            std::string::npos)
      << r.err;
  auto imp = run_cli({"--db", db_, "import", t_.write("x.eml", mail(1))});
  EXPECT_EQ(imp.code, 5);
}

TEST_F(RunTest, DryRunChangesNothing) {
  server_->deliver(user_, "d1", mail(701));
  auto cfg = config(mailbox("inbox", server_->imap_url(), "all = true\nafter = \"delete\""));
  const std::string before = read_file(db_);
  auto r = run(cfg, {"--dry-run"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(outcomes(), std::vector<std::string>{"queued"});
  EXPECT_EQ(read_file(db_), before);
  EXPECT_EQ(server_->flags(user_)["d1"], "");
  EXPECT_FALSE(std::filesystem::exists(db_ + ".lock"));
}

TEST_F(RunTest, QuietRunPrintsNothingWhenAllIsWell) {
  server_->deliver(user_, "q1", mail(801));
  auto cfg = config(mailbox("inbox", server_->imap_url(), "all = true"));
  auto r = run_cli({"-q", "--config", cfg, "run"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out + r.err, "");
}

// A session that kills the server after `after` messages were handed over.
class KillingSession final : public MailboxSession {
 public:
  KillingSession(std::unique_ptr<MailboxSession> inner, Dovecot& d, int after)
      : in_(std::move(inner)), d_(d), left_(after) {}
  std::string capabilities() const override { return in_->capabilities(); }
  MailboxCapabilities caps() const override { return in_->caps(); }
  Result<FolderState> select(const std::string& f) override { return in_->select(f); }
  Result<IdListing> list_ids(std::uint32_t a, std::optional<std::int64_t> s) override {
    return in_->list_ids(a, s);
  }
  Status fetch_headers(const std::vector<std::string>& ids,
                       const std::function<Status(RemoteMessage&&)>& each) override {
    return in_->fetch_headers(ids, each);
  }
  Status fetch(const std::vector<std::string>& ids,
               const std::function<Status(RemoteMessage&&)>& each) override {
    return in_->fetch(ids, [&](RemoteMessage&& m) -> Status {
      if (left_-- == 0) d_.kill_server();
      return each(std::move(m));
    });
  }
  Status mark_seen(const std::vector<std::string>& ids) override { return in_->mark_seen(ids); }
  Status move_to(const std::vector<std::string>& ids, const std::string& f) override {
    return in_->move_to(ids, f);
  }
  Status remove(const std::vector<std::string>& ids) override { return in_->remove(ids); }
  Status close() override { return in_->close(); }

 private:
  std::unique_ptr<MailboxSession> in_;
  Dovecot& d_;
  int left_;
};

TEST_F(RunTest, ServerKilledMidBatchRerunLosesNothingAndDoublesNothing) {
  const int kMessages = 12;
  for (int i = 1; i <= kMessages; ++i) server_->deliver(user_, "k" + std::to_string(i), mail(900 + i));
  MailboxConfig m;
  m.name = "inbox";
  m.url = server_->imap_url();
  m.user = user_;
  m.all = true;
  m.batch_size = 5;
  m.after.kind = Disposition::Seen;
  {
    MailboxEndpoint ep;
    ep.url = m.url;
    ep.user = user_;
    ep.password = "right-password";
    ep.ca_file = server_->ca_file();
    auto s = open_mailbox(ep);
    ASSERT_OK(s);
    KillingSession killing(std::move(*s), *server_, 7);  // in the second batch
    auto store = Store::open(db_, OpenMode::ReadWrite);
    ASSERT_TRUE(store);
    auto run_id = (*store)->begin_run("run", "now");
    Pipeline p(**store, PipelineOptions{}, *run_id, [](ReportEntry&&) {});
    auto r = run_mailbox(killing, m, **store, p, MailboxRunOptions{});
    ASSERT_OK(r);
    EXPECT_FALSE(r->problems.empty());
  }
  // Restart on the same Maildirs (new ports) and run normally.
  ASSERT_TRUE(server_->start(server_->dir())) << server_->output();
  auto cfg = config(mailbox("inbox", server_->imap_url(), "all = true\nafter = \"seen\"\nbatch_size = 5"));
  auto r = run(cfg);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(stat("outbox_pending"), kMessages);  // nothing lost, nothing twice
  EXPECT_EQ(stat("ledger"), kMessages);
  auto f = server_->flags(user_);
  EXPECT_EQ(count_flag(f, 'S'), kMessages);
}

TEST(RunConfig, EveryMailboxProblemIsListedWithFileAndLine) {
  TempDir t;
  auto cfg = t.write("c.toml",
                     "[[mailbox]]\n"                          // 1
                     "name = \"a\"\n"                         // 2
                     "url = \"http://x\"\n"                   // 3: bad scheme
                     "user = \"u\"\n"                         // 4
                     "password = \"hunter2\"\n"               // 5: secret in the file
                     "after = \"seen\"\n"                     // 6
                     "colour = 1\n"                           // 7: unknown key
                     "[[mailbox]]\n"                          // 8
                     "name = \"a\"\n"                         // 9: duplicate name
                     "url = \"pop3://mail.example\"\n"        // 10
                     "user = \"u\"\n"                         // 11
                     "password_env = \"P\"\n"                 // 12
                     "password_file = \"/p\"\n"               // 13: two secret sources
                     "after = \"move:Done\"\n");              // 14: POP3 cannot move
  auto r = run_cli({"--config", cfg, "run"});
  EXPECT_EQ(r.code, 3);
  for (const char* want : {"c.toml:3:", "c.toml:5:", "c.toml:7: unknown key", "c.toml:8:",
                           "configured twice", "more than one", "c.toml:14:"})
    EXPECT_NE(r.err.find(want), std::string::npos) << want << "\n" << r.err;
  EXPECT_EQ(r.err.find("hunter2"), std::string::npos);
}

TEST(RunConfig, NoMailboxConfiguredIsAConfigError) {
  TempDir t;
  auto r = run_cli({"--config", t.write("c.toml", "db = \"x.db\"\n"), "run"});
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("no [[mailbox]]"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace crmr::test
