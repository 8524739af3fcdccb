// Mailbox mistakes an administrator makes, explained, against a real Dovecot:
// an unknown folder lists the folders the server has and its hierarchy
// separator; INBOX in any case is the INBOX; imaps:// on a plain port and
// imap:// on a POP3 port (and the reverse) get a hint at once, not a TLS
// "wrong version number" or a wait for the timeout; each mailbox error is
// printed once. Skipped when dovecot is not installed.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "tests/cli/cli_harness.h"
#include "tests/cli/dovecot_fixture.h"
#include "tests/cli/run_fixture.h"

namespace crmr::test {
namespace {

std::string mail(int n) {
  return "From: alice@customer.example\r\nTo: bob@contoso.example\r\nSubject: note " +
         std::to_string(n) + "\r\nMessage-ID: <mistake" + std::to_string(n) +
         "@customer.example>\r\nDate: Mon, 5 Jan 2026 10:00:00 +0000\r\n\r\nbody\r\n";
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

class MailboxMistakesTest : public DovecotRunTest {
 protected:
  // An empty Maildir++ folder of this test's user ("Archive.2026" is a child of "Archive").
  void make_folder(const std::string& name) {
    for (const char* sub : {"/cur", "/new", "/tmp"})
      std::filesystem::create_directories(server_->maildir(user_, name) + sub);
    std::string cmd = "chown -R --reference=" + server_->maildir(user_) + " " +
                      server_->maildir(user_, name);
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  }
  std::string url_on(const char* scheme, const std::string& port_of) const {
    std::string u = port_of;
    return std::string(scheme) + "://127.0.0.1:" + u.substr(u.rfind(':') + 1);
  }
};

TEST_F(MailboxMistakesTest, UnknownFolderListsTheServersFoldersAndItsSeparator) {
  make_folder("Archive");
  make_folder("Archive.2026");
  auto cfg = config(mailbox("box", server_->imap_url(), "all = true\nfolders = [\"Archiv\"]"));
  auto r = run(cfg);
  EXPECT_EQ(r.code, 4) << r.out << r.err;
  const std::string want =
      "the server has 3 folders: Archive, Archive.2026, INBOX; hierarchy separator \".\"";
  EXPECT_NE(r.err.find("refused SELECT Archiv"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(want), std::string::npos) << r.err;

  auto c = run(cfg, {"check"});
  EXPECT_EQ(c.code, 4) << c.out << c.err;
  EXPECT_NE(c.err.find("mailbox box, folder Archiv: "), std::string::npos) << c.err;
  EXPECT_NE(c.err.find(want), std::string::npos) << c.err;
}

TEST_F(MailboxMistakesTest, FolderDifferingOnlyInCaseIsPointedOut) {
  make_folder("Archive");
  auto r = run(config(mailbox("box", server_->imap_url(), "all = true\nfolders = [\"archive\"]")));
  EXPECT_EQ(r.code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("did you mean \"Archive\"? Folder names other than INBOX are case-sensitive"),
            std::string::npos)
      << r.err;
}

TEST_F(MailboxMistakesTest, InboxInAnyCaseIsTheInboxWithOneCursor) {
  server_->deliver(user_, "i1", mail(1));
  auto first = config(mailbox("box", server_->imap_url(), "all = true"));
  ASSERT_EQ(run(first).code, 0);
  EXPECT_EQ(outcomes(), std::vector<std::string>{"queued"});

  // The same folder written differently: its cursor is found, so no start is
  // needed and nothing is fetched again.
  server_->deliver(user_, "i2", mail(2));
  auto lower = config(mailbox("box", server_->imap_url(), "folders = [\"inbox\"]"));
  auto r = run(lower);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  ASSERT_EQ(outcomes(), std::vector<std::string>{"queued"});
  EXPECT_EQ(report()["messages"][0]["source"], "box/INBOX");
  EXPECT_EQ(report()["messages"][0]["message_id"], "mistake2@customer.example");

  auto c = run(lower, {"check"});
  EXPECT_EQ(c.code, 0) << c.out << c.err;
  EXPECT_NE(c.out.find("  INBOX: 2 messages"), std::string::npos) << c.out;

  // POP3 has only INBOX, in any case too.
  auto pop = run(config(mailbox("pop", server_->pop3_url(), "all = true\nfolders = [\"Inbox\"]")));
  EXPECT_EQ(pop.code, 0) << pop.out << pop.err;

  // Two spellings of INBOX in one list are the same folder twice.
  auto twice = run(config(mailbox("box", server_->imap_url(), "folders = [\"INBOX\", \"inbox\"]")));
  EXPECT_EQ(twice.code, 3);
  EXPECT_NE(twice.err.find("lists \"INBOX\" twice"), std::string::npos) << twice.err;
}

TEST_F(MailboxMistakesTest, ImapsOnAPlainPortSaysSoAndNamesTheRightScheme) {
  auto cfg = config(mailbox("box", url_on("imaps", server_->imap_url()), "all = true") +
                    mailbox("pop", url_on("pop3s", server_->pop3_url()), "all = true"));
  auto r = run(cfg);
  EXPECT_EQ(r.code, 4) << r.out << r.err;
  for (std::string scheme : {"imap", "pop3"}) {
    SCOPED_TRACE(scheme);
    EXPECT_NE(r.err.find(url_on((scheme + "s").c_str(),
                                scheme == "imap" ? server_->imap_url() : server_->pop3_url()) +
                         " did not answer in TLS"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("this looks like a plain port: use " + scheme + ":// with this port"),
              std::string::npos)
        << r.err;
  }
  auto c = run(cfg, {"check"});
  EXPECT_EQ(c.code, 4);
  EXPECT_NE(c.err.find("this looks like a plain port"), std::string::npos) << c.err;
}

TEST_F(MailboxMistakesTest, ImapOnAPop3PortAndPop3OnAnImapPortFailAtOnceWithAHint) {
  auto cfg = config(mailbox("box", url_on("imap", server_->pop3_url()), "all = true\ntimeout_s = 30") +
                    mailbox("pop", url_on("pop3", server_->imap_url()), "all = true\ntimeout_s = 30"));
  auto t0 = std::chrono::steady_clock::now();
  auto r = run(cfg);
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(r.code, 4) << r.out << r.err;
  EXPECT_LT(took, std::chrono::seconds(10));  // not the 30 s timeout, twice
  EXPECT_NE(r.err.find(url_on("imap", server_->pop3_url()) +
                       " is not an IMAP server: it greeted with \"+OK"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("use pop3:// or pop3s:// for this port"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(url_on("pop3", server_->imap_url()) +
                       " is not a POP3 server: it greeted with \"* OK"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("use imap:// or imaps:// for this port"), std::string::npos) << r.err;
}

#ifdef CRMR_BINARY
TEST_F(MailboxMistakesTest, EachMailboxErrorIsPrintedOnce) {
  server_->deliver(user_, "o1", mail(3));
  auto cfg = config(mailbox("bad", server_->imap_url(), "all = true", "CRMR_TEST_BAD_PW") +
                    mailbox("nofolder", server_->imap_url(), "all = true\nfolders = [\"Nope\"]") +
                    mailbox("good", server_->imap_url(), "all = true"));
  for (const char* verbosity : {"", "-v"}) {
    SCOPED_TRACE(verbosity);
    std::string log = t_.file(std::string("out") + verbosity + ".log");
    std::vector<std::string> args = {"--config", cfg, "--no-progress", "run"};
    if (*verbosity) args.insert(args.begin(), verbosity);
    EXPECT_EQ(run_binary(args, "", log), 4);
    const std::string out = read_file(log);
    EXPECT_EQ(count(out, "login refused by " + server_->imap_url()), 1u) << out;
    EXPECT_EQ(count(out, "refused SELECT Nope"), 1u) << out;
    // The summary still lists both as failed.
    EXPECT_NE(out.find("Mailboxes: 1 ok, 2 failed"), std::string::npos) << out;
    EXPECT_NE(out.find("  bad: failed, 0 messages, 0 bytes"), std::string::npos) << out;
    EXPECT_NE(out.find("  nofolder: failed, 0 messages, 0 bytes"), std::string::npos) << out;
  }
}
#endif

}  // namespace
}  // namespace crmr::test
