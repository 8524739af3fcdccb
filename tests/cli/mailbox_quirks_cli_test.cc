// `run` and `check` as an administrator runs them, against scripted servers
// (tests/core/mailbox/scripted_server.h) that behave like Cyrus, Courier and GNU
// Mailutils where Dovecot does not: [LOGIN-DELAY] on POP3, an "INBOX."
// personal namespace, and the protocol trace with its secrets masked.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>

#include <nlohmann/json.hpp>

#include "core/base/normalize.h"
#include "tests/cli/cli_harness.h"
#include "tests/core/mailbox/scripted_server.h"

namespace crmr::test {
namespace {

using P = ScriptedServer::Protocol;
const std::string kPassword = "Quirk-s3cret";

std::string mail() {
  return "From: alice@customer.example\r\nTo: bob@contoso.example\r\nSubject: quirks\r\n"
         "Message-ID: <quirk1@customer.example>\r\nDate: Mon, 5 Jan 2026 10:00:00 +0000\r\n\r\nbody\r\n";
}

// A Cyrus-like IMAP server: personal namespace "INBOX.", one message in
// INBOX, "Processed" missing until created inside the namespace.
std::vector<ScriptRule> cyrus_rules() {
  const std::string m = mail();
  return {
      {"CAPABILITY", "* CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN NAMESPACE MOVE UIDPLUS\r\n{tag} OK done\r\n"},
      {"AUTHENTICATE PLAIN", "{tag} OK logged in\r\n"},
      {"NAMESPACE", "* NAMESPACE ((\"INBOX.\" \".\")) ((\"user.\" \".\")) NIL\r\n{tag} OK done\r\n"},
      {"SELECT \"INBOX\"", "* 1 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n* OK [UIDNEXT 2] ok\r\n{tag} OK [READ-WRITE] done\r\n"},
      {"SELECT \"INBOX.Archive\"", "* 0 EXISTS\r\n* OK [UIDVALIDITY 9] ok\r\n{tag} OK [READ-WRITE] done\r\n"},
      {"UID SEARCH", "* SEARCH 1\r\n{tag} OK done\r\n"},
      {"FETCH 1 (UID)", "* 1 FETCH (UID 1)\r\n{tag} OK done\r\n"},  // the listing's EXISTS check
      {"UID FETCH 1 ", "* 1 FETCH (UID 1 INTERNALDATE \"05-Jan-2026 10:00:00 +0000\" BODY[] {" +
                           std::to_string(m.size()) + "}\r\n" + m + ")\r\n{tag} OK done\r\n"},
      {"UID MOVE 1 \"INBOX.Processed\"", "{tag} NO [TRYCREATE] Mailbox does not exist\r\n", true},
      {"CREATE \"INBOX.Processed\"", "{tag} OK created\r\n"},
      {"UID MOVE 1 \"INBOX.Processed\"", "* OK [COPYUID 5 1 1] moved\r\n* 1 EXPUNGE\r\n{tag} OK done\r\n"},
      {"UID MOVE 1 \"Processed\"", "{tag} NO [TRYCREATE] Mailbox does not exist\r\n"},
      {"CREATE \"Processed\"", "{tag} NO [NOPERM] Permission denied\r\n"},
      {"LOGOUT", "* BYE bye\r\n{tag} OK done\r\n"}};
}

class MailboxQuirksCli : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("CRMR_QUIRK_PW", kPassword.c_str(), 1);
    db_ = t_.file("state.db");
    auto r = run_cli({"--db", db_, "cache", "import",
                      std::string(CRMR_TEST_DATA_DIR) + "/mailbox/cache.jsonl"});
    ASSERT_EQ(r.code, 0) << r.err;
  }
  std::string config(const std::string& url, const std::string& extra) {
    return t_.write("c.toml", "db = \"" + db_ + "\"\n[[mailbox]]\nname = \"quirk\"\nurl = \"" + url +
                                  "\"\nuser = \"alice@example.org\"\npassword_env = \"CRMR_QUIRK_PW\"\n"
                                  "all = true\n" + extra + "\n");
  }
  TempDir t_;
  std::string db_;
};

TEST_F(MailboxQuirksCli, Pop3LoginDelayIsShownAsTheServerSaidItAndRetriedNextRun) {
  ScriptedServer srv(P::Pop3, "+OK Cyrus POP3 ready\r\n",
                     {{"CAPA", "+OK\r\nUSER\r\nUIDL\r\n.\r\n"},
                      {"USER", "+OK\r\n"},
                      {"PASS", "-ERR [LOGIN-DELAY] Minimum time between mail checks violation\r\n"},
                      {"QUIT", "+OK\r\n"}});
  auto r = run_cli({"--config", config(srv.url(), "after = \"delete\""), "--report", t_.file("r.json"),
                    "--log-file", t_.file("log.txt"), "run"});
  EXPECT_EQ(r.code, 4) << r.out << r.err;
  const std::string shown = r.out + r.err;
  EXPECT_NE(shown.find("-ERR [LOGIN-DELAY] Minimum time between mail checks violation"), std::string::npos) << shown;
  EXPECT_NE(shown.find("the next run tries again"), std::string::npos) << shown;
  EXPECT_EQ(shown.find("check the user name"), std::string::npos) << shown;
  auto report = nlohmann::json::parse(read_file(t_.file("r.json")));
  const std::string error = report["run"]["mailboxes"][0]["error"];
  EXPECT_NE(error.find("[LOGIN-DELAY]"), std::string::npos) << error;
  EXPECT_NE(read_file(t_.file("log.txt")).find("[LOGIN-DELAY] Minimum time"), std::string::npos);
}

TEST_F(MailboxQuirksCli, CheckShowsTheNamespaceAndHowFoldersResolved) {
  ScriptedServer srv(P::Imap, "* OK Cyrus IMAP ready\r\n", cyrus_rules());
  auto r = run_cli({"--config", config(srv.url(), "folders = [\"INBOX\", \"Archive\"]\nafter = \"move:Processed\""),
                    "check"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("connected and logged in with plain"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("namespace: personal prefix \"INBOX.\", separator \".\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Archive (on the server: INBOX.Archive): 0 messages"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("after = move:Processed -> INBOX.Processed"), std::string::npos) << r.out;
}

TEST_F(MailboxQuirksCli, MoveToProcessedWorksOnAnInboxNamespaceServer) {
  ScriptedServer srv(P::Imap, "* OK Cyrus IMAP ready\r\n", cyrus_rules());
  auto r = run_cli({"--config", config(srv.url(), "after = \"move:Processed\""), "--report",
                    t_.file("r.json"), "run"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_TRUE(srv.received("CREATE \"INBOX.Processed\""));
  EXPECT_FALSE(srv.received("CREATE \"Processed\""));
  auto report = nlohmann::json::parse(read_file(t_.file("r.json")));
  EXPECT_EQ(report["messages"].size(), 1u);
}

TEST_F(MailboxQuirksCli, TraceFileHasTheConversationWithoutSecrets) {
  ScriptedServer srv(P::Imap, "* OK Cyrus IMAP ready\r\n", cyrus_rules());
  const std::string trace = t_.file("trace.txt");
  auto r = run_cli({"--config", config(srv.url(), ""), "--trace", trace, "check"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  const std::string text = read_file(trace);
  EXPECT_NE(text.find("mailbox quirk S: * OK Cyrus IMAP ready"), std::string::npos) << text;
  EXPECT_NE(text.find("AUTHENTICATE PLAIN ***"), std::string::npos) << text;
  EXPECT_NE(text.find("C: R2 NAMESPACE"), std::string::npos) << text;
  EXPECT_EQ(text.find(kPassword), std::string::npos) << text;
  EXPECT_EQ(text.find(base64_encode(std::string("\0alice@example.org\0", 19) + kPassword)), std::string::npos)
      << text;
}

TEST_F(MailboxQuirksCli, VeryVerboseLogsTheTrace) {
  ScriptedServer srv(P::Imap, "* OK Cyrus IMAP ready\r\n", cyrus_rules());
  auto r = run_cli({"--config", config(srv.url(), ""), "-vv", "--log-file", t_.file("log.txt"), "check"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  const std::string log = read_file(t_.file("log.txt"));
  EXPECT_NE(log.find("mailbox quirk C: R1 CAPABILITY"), std::string::npos) << log;
  EXPECT_EQ(log.find(kPassword), std::string::npos);
}

TEST_F(MailboxQuirksCli, AuthSettingIsValidated) {
  auto bad = [&](const std::string& url, const std::string& line, const std::string& want) {
    auto r = run_cli({"--config", config(url, line), "cache", "stats"});
    EXPECT_EQ(r.code, 3) << line << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find(want), std::string::npos) << line << "\n" << r.err;
  };
  bad("imap://h", "auth = \"kerberos\"", "\"kerberos\" is not a login mechanism; use one of plain, login");
  bad("imap://h", "auth = \"apop\"", "apop is for POP3 mailboxes only");
  bad("imap://h", "auth = [\"plain\", \"plain\"]", "lists \"plain\" twice");
  bad("imap://h", "auth = \"xoauth2\"", "xoauth2 needs oauth2_token_env or oauth2_token_command");
  bad("imap://;AUTH=PLAIN@h", "", "must not name the login mechanism; write auth = \"plain\"");
  auto ok = run_cli({"--config", config("pop3://h", "auth = [\"APOP\", \"user\"]"), "cache", "stats"});
  EXPECT_EQ(ok.code, 0) << ok.err;
}

}  // namespace
}  // namespace crmr::test
