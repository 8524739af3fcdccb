// `run` and `check` end to end (in-process, as an administrator runs them)
// against scripted servers that play quirks of packaged mail servers
// (tests/core/mailbox/server_quirks.h): no mail skipped for ever, deleted unread, or
// downloaded and dropped by a server's quirk.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <nlohmann/json.hpp>

#include "core/engine/mailbox_cursor.h"
#include "storage/store.h"
#include "tests/cli/cli_harness.h"
#include "tests/core/mailbox/server_quirks.h"

namespace crmr::test {
namespace {

using nlohmann::json;

std::string mail(int n, const std::string& date = "Mon, 5 Jan 2026 10:00:00 +0000") {
  return "From: alice@customer.example\r\nTo: bob@contoso.example\r\nSubject: note " +
         std::to_string(n) + "\r\nMessage-ID: <rq" + std::to_string(n) +
         "@customer.example>\r\nDate: " + date + "\r\n\r\nbody " + std::to_string(n) + "\r\n";
}

std::vector<ScriptRule> operator+(std::vector<ScriptRule> a, const std::vector<ScriptRule>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

const std::string kImapGreeting = "* OK scripted IMAP ready\r\n";
const std::string kPop3Greeting = "+OK scripted POP3 ready\r\n";

class RunQuirksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("CRMR_TEST_PW", "pw", 1);
    db_ = t_.file("state.db");
    auto r = run_cli({"--db", db_, "cache", "import",
                      std::string(CRMR_TEST_DATA_DIR) + "/mailbox/cache.jsonl"});
    ASSERT_EQ(r.code, 0) << r.err;
  }
  std::string config(const std::string& url, const std::string& extra) {
    return t_.write("c.toml", "db = \"" + db_ + "\"\n[[mailbox]]\nname = \"box\"\nurl = \"" + url +
                                  "\"\nuser = \"u\"\npassword_env = \"CRMR_TEST_PW\"\n"
                                  "starttls = \"off\"\ntimeout_s = 5\n" + extra + "\n");
  }
  CliResult run(const std::string& cfg, const std::string& command = "run") {
    return run_cli({"--config", cfg, "--report", t_.file("r.json"), command});
  }
  json report() { return json::parse(read_file(t_.file("r.json"))); }
  std::optional<FolderCursor> cursor() {
    auto s = Store::open(db_, OpenMode::ReadOnly);
    if (!s) return std::nullopt;
    auto c = load_cursor(**s, "box", "INBOX");
    return c ? *c : std::nullopt;
  }
  std::vector<std::string> pop3_seen() {
    auto s = Store::open(db_, OpenMode::ReadOnly);
    return s ? *(*s)->pop3_seen("box") : std::vector<std::string>{};
  }

  TempDir t_;
  std::string db_;
};

// Mailutils: UID SEARCH UID 1:* lists nothing. The run reads all three, and
// the cursor ends at the last UID read.
TEST_F(RunQuirksTest, ImapFolderWhoseUidSearchIgnoresStarIsReadWhole) {
  ScriptedServer server(ScriptedServer::Protocol::Imap, kImapGreeting,
                        quirk_uid_search_star_empty() + imap_login_rows() +
                            imap_inbox_rows({mail(1), mail(2), mail(3)}));
  auto cfg = config(server.url(), "all = true\nafter = \"seen\"");
  auto r = run(cfg);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(report()["run"]["messages"], 3) << r.out;
  EXPECT_EQ(server.count("UID FETCH 1:3 (UID INTERNALDATE BODY.PEEK[])"), 1);
  ASSERT_TRUE(cursor());
  EXPECT_EQ(cursor()->last_uid, 3u);
}

// A server whose every UID SEARCH is empty: the count disagrees with EXISTS,
// the UIDs are read by sequence number, and the run says so in its summary
// and in its report.
TEST_F(RunQuirksTest, UidSearchDisagreeingWithExistsIsAWarningAndNothingIsSkipped) {
  ScriptedServer server(ScriptedServer::Protocol::Imap, kImapGreeting,
                        quirk_uid_search_always_empty() + imap_login_rows() +
                            imap_inbox_rows({mail(1), mail(2), mail(3)}));
  auto cfg = config(server.url(), "all = true\nafter = \"seen\"");
  auto r = run(cfg);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  const json rep = report();
  EXPECT_EQ(rep["run"]["messages"], 3);
  const json& box = rep["run"]["mailboxes"][0];
  ASSERT_EQ(box["warnings"].size(), 1u) << box.dump();
  EXPECT_NE(box["warnings"][0].get<std::string>().find("FETCH 1:3 (UID)"), std::string::npos);
  EXPECT_NE(r.out.find("    warning: mailbox box, folder INBOX: the server's UID SEARCH UID 1:3 listed 0 UIDs"), std::string::npos)
      << r.out;
  EXPECT_NE(r.err.find("listed 0 UIDs"), std::string::npos) << r.err;
  EXPECT_EQ(cursor()->last_uid, 3u);
}

// A folder whose search lists only UID 1 of UIDNEXT 4 (and whose sequence
// numbers agree, so nothing is contradicted): the cursor passes only UID 1,
// never UIDNEXT-1, so UIDs 2 and 3 are read when the server lists them.
TEST_F(RunQuirksTest, CursorNeverPassesAUidThatWasNotRead) {
  ScriptedServer server(
      ScriptedServer::Protocol::Imap, kImapGreeting,
      std::vector<ScriptRule>{
          {"SELECT \"INBOX\"",
           "* 1 EXISTS\r\n* OK [UIDVALIDITY 42] ok\r\n* OK [UIDNEXT 4] ok\r\n{tag} OK selected\r\n"},
          {"UID SEARCH UID 1:3", "* SEARCH 1\r\n{tag} OK done\r\n"},
          {"UID SEARCH UID 1:*", "* SEARCH 1\r\n{tag} OK done\r\n"},
          {"UID FETCH 1 (UID INTERNALDATE BODY.PEEK[])",
           "* 1 FETCH (UID 1 BODY[] " + imap_literal(mail(1)) + ")\r\n{tag} OK done\r\n"}} +
          imap_login_rows() + imap_inbox_rows({mail(1)}));
  auto cfg = config(server.url(), "all = true\nafter = \"leave\"");
  auto r = run(cfg);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(report()["run"]["messages"], 1);
  ASSERT_TRUE(cursor());
  EXPECT_EQ(cursor()->last_uid, 1u);
}

// Courier without UTF8 in CAPA serves a stand-in "from postmaster": tossed
// (InvalidSender), and with after = "delete" kept on the server, with a
// warning; the message that passed is deleted.
TEST_F(RunQuirksTest, Pop3StandInIsTossedButNeverDeleted) {
  ScriptedServer server(ScriptedServer::Protocol::Pop3, kPop3Greeting,
                        quirk_pop3_utf8_stand_in(1, false) + pop3_login_rows() +
                            pop3_mailbox_rows({mail(1), mail(2)}));
  auto cfg = config(server.url(), "all = true\nafter = \"delete\"");
  auto r = run(cfg);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  const json rep = report();
  ASSERT_EQ(rep["messages"].size(), 2u);
  EXPECT_EQ(rep["messages"][0]["outcome"], "tossed");
  EXPECT_EQ(rep["messages"][0]["reason"], "InvalidSender");
  EXPECT_EQ(server.count("DELE 1"), 0);
  EXPECT_EQ(server.count("DELE 2"), 1);
  EXPECT_EQ(server.count("QUIT"), 1);
  const json& box = rep["run"]["mailboxes"][0];
  ASSERT_EQ(box["warnings"].size(), 1u) << box.dump();
  EXPECT_NE(box["warnings"][0].get<std::string>().find("kept on the server"), std::string::npos);
  EXPECT_EQ(pop3_seen(), std::vector<std::string>{"U1"});  // kept, not read again each run
}

// Courier with UTF8 in CAPA: the run sends UTF8, gets the real message,
// routes it and deletes it after the commit.
TEST_F(RunQuirksTest, Pop3SendsUtf8AndRoutesTheRealMessage) {
  ScriptedServer server(ScriptedServer::Protocol::Pop3, kPop3Greeting,
                        quirk_pop3_utf8_stand_in(1, true) + pop3_login_rows() +
                            pop3_mailbox_rows({mail(1)}));
  auto cfg = config(server.url(), "all = true\nafter = \"delete\"");
  auto r = run(cfg);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(server.count("UTF8"), 1);
  EXPECT_EQ(report()["messages"][0]["outcome"], "queued");
  EXPECT_EQ(server.count("DELE 1"), 1);
}

// POP3 and since: headers first (TOP n 0), only what passes is downloaded;
// the rest is counted, left on the server and not remembered; `check` says
// what the run fetches.
TEST_F(RunQuirksTest, Pop3SinceReadsHeadersFirstAndDownloadsOnlyWhatPasses) {
  const std::string old_date = "Tue, 2 Dec 2025 10:00:00 +0000";
  ScriptedServer server(ScriptedServer::Protocol::Pop3, kPop3Greeting,
                        pop3_login_rows() + pop3_mailbox_rows({mail(1, old_date), mail(2),
                                                               mail(3, old_date), mail(4, old_date),
                                                               mail(5)}));
  auto cfg = config(server.url(), "since = 2026-01-01\nafter = \"leave\"");
  auto check = run(cfg, "check");
  EXPECT_EQ(check.code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("the next run fetches 2 (3 older than since: not fetched)"),
            std::string::npos)
      << check.out;
  EXPECT_EQ(server.count("RETR"), 0);
  auto r = run(cfg);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(report()["run"]["messages"], 2);
  EXPECT_EQ(report()["run"]["mailboxes"][0]["skipped_by_date"], 3);
  EXPECT_NE(r.out.find("3 older than its since (not fetched)"), std::string::npos) << r.out;
  EXPECT_EQ(server.count("RETR 2"), 1);
  EXPECT_EQ(server.count("RETR 5"), 1);
  EXPECT_EQ(server.count("RETR 1"), 0);
  EXPECT_EQ(server.count("RETR 3"), 0);
  EXPECT_EQ(pop3_seen(), (std::vector<std::string>{"U2", "U5"}));
  // The next run fetches nothing, and still counts the old ones.
  auto again = run(cfg);
  EXPECT_EQ(again.code, 0) << again.out << again.err;
  EXPECT_EQ(report()["run"]["messages"], 0);
  EXPECT_EQ(report()["run"]["mailboxes"][0]["skipped_by_date"], 3);
}

}  // namespace
}  // namespace crmr::test
