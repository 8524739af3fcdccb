// Logging in to servers that are not Dovecot, against scripted servers
// (scripted_server.h) that show what a packaged server cannot be made to:
// GSSAPI offered first, an APOP banner, [LOGIN-DELAY]/[IN-USE]/[UNAVAILABLE]
// refusals, an "INBOX." personal namespace, and the masked protocol trace.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/mailbox_session.h"
#include "core/base/normalize.h"
#include "tests/core/mailbox/scripted_server.h"
#include "tests/support/result_matchers.h"

namespace crmr {
namespace {

using Rules = std::vector<ScriptRule>;
using P = ScriptedServer::Protocol;

const std::string kPassword = "s3cret-Pw!";
const std::string kImapGreeting = "* OK scripted IMAP ready\r\n";

std::string imap_caps(const std::string& extra) {
  return "* CAPABILITY IMAP4rev1 SASL-IR " + extra + "\r\n{tag} OK done\r\n";
}

// The rules every IMAP script shares after login: no NAMESPACE, a flat LIST, LOGOUT.
Rules imap_after_login(Rules r) {
  r.push_back({"LIST \"\" \"\"", "* LIST (\\Noselect) \"/\" \"\"\r\n{tag} OK done\r\n"});
  r.push_back({"LOGOUT", "* BYE bye\r\n{tag} OK done\r\n"});
  return r;
}

const std::string kPop3Caps = "+OK\r\nUSER\r\nUIDL\r\n.\r\n";

Rules pop3_rules(const std::string& pass_reply, Rules extra = {}) {
  extra.push_back({"CAPA", kPop3Caps});
  extra.push_back({"USER", "+OK send PASS\r\n"});
  extra.push_back({"PASS", pass_reply});
  extra.push_back({"QUIT", "+OK bye\r\n"});
  return extra;
}

MailboxEndpoint endpoint(const std::string& url, std::vector<std::string> auth = {},
                         const std::string& user = "alice@example.org") {
  MailboxEndpoint ep;
  ep.url = url;
  ep.user = user;
  ep.password = kPassword;
  ep.auth = std::move(auth);
  ep.timeout = std::chrono::seconds(10);
  return ep;
}

TEST(MailboxLogin, GssapiOfferedFirstIsNotTriedUnlessAsked) {
  ScriptedServer srv(P::Imap, kImapGreeting,
                     imap_after_login({{"CAPABILITY", imap_caps("AUTH=GSSAPI AUTH=PLAIN")},
                                       {"AUTHENTICATE GSSAPI", "{tag} NO no Kerberos here\r\n"},
                                       {"AUTHENTICATE PLAIN", "{tag} OK logged in\r\n"}}));
  auto s = open_mailbox(endpoint(srv.url()));
  ASSERT_OK(s);
  EXPECT_EQ((*s)->logged_in_with(), "plain");
  EXPECT_FALSE(srv.received("GSSAPI"));
  EXPECT_TRUE((*s)->close());
}

TEST(MailboxLogin, Pop3ApopBannerIsNotUsedUnlessAsked) {
  ScriptedServer srv(P::Pop3, "+OK POP3 ready <1896.697170952@dbc.mailcom.mil>\r\n",
                     pop3_rules("+OK logged in\r\n", {{"APOP", "-ERR no APOP database\r\n"}}));
  auto s = open_mailbox(endpoint(srv.url()));
  ASSERT_OK(s);
  EXPECT_EQ((*s)->logged_in_with(), "user");
  EXPECT_FALSE(srv.received("APOP"));
  EXPECT_TRUE(srv.received("USER alice@example.org"));
  EXPECT_TRUE((*s)->close());
}

TEST(MailboxLogin, RefusedMechanismFallsBackToTheNextInTheList) {
  ScriptedServer srv(P::Pop3, "+OK POP3 ready <1896.697170952@dbc.mailcom.mil>\r\n",
                     pop3_rules("+OK logged in\r\n", {{"APOP", "-ERR [AUTH] no APOP database\r\n"}}));
  auto s = open_mailbox(endpoint(srv.url(), {"apop", "user"}));
  ASSERT_OK(s);
  EXPECT_EQ((*s)->logged_in_with(), "user");
  EXPECT_TRUE(srv.received("APOP alice@example.org "));  // asked for: tried first
  EXPECT_EQ(srv.connections(), 2);
}

TEST(MailboxLogin, ImapLoginCommandWhenAskedFor) {
  ScriptedServer srv(P::Imap, kImapGreeting,
                     imap_after_login({{"CAPABILITY", imap_caps("AUTH=PLAIN")},
                                       {"AUTHENTICATE", "{tag} NO not this way\r\n"},
                                       {"LOGIN \"alice@example.org\" ", "{tag} OK logged in\r\n"}}));
  auto s = open_mailbox(endpoint(srv.url(), {"user"}));
  ASSERT_OK(s);
  EXPECT_EQ((*s)->logged_in_with(), "user");
  EXPECT_FALSE(srv.received("AUTHENTICATE"));
}

TEST(MailboxLogin, Pop3LoginDelayIsTransientAndKeepsTheServersText) {
  ScriptedServer srv(P::Pop3, "+OK POP3 ready\r\n",
                     pop3_rules("-ERR [LOGIN-DELAY] Minimum time between mail checks violation\r\n"));
  auto s = open_mailbox(endpoint(srv.url()));
  ASSERT_FALSE(s);
  const Error& e = s.error();
  EXPECT_EQ(e.code, Code::MailboxLoginDelay);
  EXPECT_EQ(e.retry, Retry::Later);
  EXPECT_EQ(e.scope, Scope::Mailbox);
  EXPECT_NE(e.message.find("-ERR [LOGIN-DELAY] Minimum time between mail checks violation"),
            std::string::npos) << e.message;
  EXPECT_EQ(e.describe().find("check the user name"), std::string::npos) << e.describe();
  int passes = 0;  // a server asking to wait is not asked again with another mechanism
  for (const auto& l : srv.lines()) passes += l.starts_with("PASS ");
  EXPECT_EQ(passes, 1);
  EXPECT_EQ(e.describe().find(kPassword), std::string::npos);
}

TEST(MailboxLogin, Pop3InUseThroughSaslIsTransient) {
  ScriptedServer srv(P::Pop3, "+OK POP3 ready\r\n",
                     {{"CAPA", "+OK\r\nSASL PLAIN\r\nUIDL\r\n.\r\n"},
                      {"AUTH PLAIN", "+ \r\n"},
                      {"", "-ERR [IN-USE] Mailbox locked by another session\r\n"}});
  auto s = open_mailbox(endpoint(srv.url(), {"plain"}));
  ASSERT_FALSE(s);
  EXPECT_ERROR_CODE(s, Code::MailboxInUse);
  EXPECT_EQ(s.error().retry, Retry::Later);
  EXPECT_NE(s.error().message.find("[IN-USE] Mailbox locked by another session"), std::string::npos)
      << s.error().message;
}

TEST(MailboxLogin, ImapUnavailableIsTransient) {
  ScriptedServer srv(P::Imap, kImapGreeting,
                     {{"CAPABILITY", imap_caps("AUTH=PLAIN")},
                      {"AUTHENTICATE PLAIN", "{tag} NO [UNAVAILABLE] User's backend down for maintenance\r\n"}});
  auto s = open_mailbox(endpoint(srv.url()));
  ASSERT_FALSE(s);
  EXPECT_ERROR_CODE(s, Code::MailboxUnavailable);
  EXPECT_EQ(s.error().retry, Retry::Later);
  EXPECT_NE(s.error().message.find("NO [UNAVAILABLE] User's backend down"), std::string::npos);
}

TEST(MailboxLogin, WrongPasswordKeepsTheServersTextAndIsNotRetriedWithOtherMechanisms) {
  ScriptedServer srv(P::Imap, kImapGreeting,
                     {{"CAPABILITY", imap_caps("AUTH=PLAIN AUTH=LOGIN")},
                      {"AUTHENTICATE", "{tag} NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"},
                      {"LOGIN", "{tag} NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"}});
  auto s = open_mailbox(endpoint(srv.url()));
  ASSERT_FALSE(s);
  EXPECT_ERROR_CODE(s, Code::MailboxAuth);
  EXPECT_EQ(s.error().retry, Retry::Never);
  EXPECT_NE(s.error().message.find("[AUTHENTICATIONFAILED] Authentication failed."), std::string::npos);
  EXPECT_NE(s.error().hint.find("check the user name"), std::string::npos);
  EXPECT_EQ(srv.connections(), 1);
}

TEST(MailboxLogin, NoMechanismOfTheListOfferedSaysWhatIsOffered) {
  ScriptedServer srv(P::Imap, kImapGreeting,
                     {{"CAPABILITY", imap_caps("AUTH=PLAIN AUTH=GSSAPI")}});
  auto s = open_mailbox(endpoint(srv.url(), {"cram-md5"}));
  ASSERT_FALSE(s);
  EXPECT_ERROR_CODE(s, Code::MailboxAuth);
  EXPECT_NE(s.error().message.find("offers none of the login mechanisms cram-md5"), std::string::npos)
      << s.error().message;
  EXPECT_NE(s.error().message.find("SASL GSSAPI PLAIN"), std::string::npos) << s.error().message;
}

// Cyrus and Courier: personal folders live under "INBOX." with "." as separator.
Rules cyrus_rules(Rules extra) {
  Rules r = std::move(extra);
  Rules base = {
      {"CAPABILITY", imap_caps("AUTH=PLAIN NAMESPACE MOVE UIDPLUS")},
      {"AUTHENTICATE PLAIN", "{tag} OK logged in\r\n"},
      {"NAMESPACE", "* NAMESPACE ((\"INBOX.\" \".\")) ((\"user.\" \".\")) NIL\r\n{tag} OK done\r\n"},
      {"SELECT \"INBOX\"", "* 1 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n* OK [UIDNEXT 2] ok\r\n{tag} OK [READ-WRITE] done\r\n"},
      {"SELECT \"INBOX.Archive\"", "* 0 EXISTS\r\n* OK [UIDVALIDITY 9] ok\r\n{tag} OK [READ-WRITE] done\r\n"},
      {"CREATE \"Processed\"", "{tag} NO [NOPERM] Permission denied\r\n"},
      {"UID MOVE 1 \"Processed\"", "{tag} NO [TRYCREATE] Mailbox does not exist\r\n"},
      {"LOGOUT", "* BYE bye\r\n{tag} OK done\r\n"}};
  r.insert(r.end(), base.begin(), base.end());
  return r;
}

TEST(MailboxNamespace, FoldersResolveAgainstThePersonalNamespace) {
  ScriptedServer srv(P::Imap, kImapGreeting, cyrus_rules({}));
  auto s = open_mailbox(endpoint(srv.url()));
  ASSERT_OK(s);
  MailboxSession& m = **s;
  EXPECT_EQ(m.namespace_text(), "personal prefix \"INBOX.\", separator \".\"");
  EXPECT_EQ(m.resolve_folder("INBOX"), "INBOX");
  EXPECT_EQ(m.resolve_folder("inbox"), "INBOX");
  EXPECT_EQ(m.resolve_folder("Processed"), "INBOX.Processed");
  EXPECT_EQ(m.resolve_folder("INBOX.Processed"), "INBOX.Processed");
  EXPECT_EQ(m.resolve_folder("Inbox.Processed"), "INBOX.Processed");
  EXPECT_EQ(m.resolve_folder("Archive/2024"), "INBOX.Archive.2024");
  EXPECT_EQ(m.resolve_folder("user.bob.Shared"), "user.bob.Shared");
  auto st = m.select("Archive");
  ASSERT_OK(st);
  EXPECT_EQ(st->uidvalidity, 9u);
}

TEST(MailboxNamespace, MoveToProcessedCreatesItInsideTheNamespace) {
  ScriptedServer srv(P::Imap, kImapGreeting,
                     cyrus_rules({{"UID MOVE 1 \"INBOX.Processed\"", "{tag} NO [TRYCREATE] No such mailbox\r\n", true},
                                  {"CREATE \"INBOX.Processed\"", "{tag} OK created\r\n"},
                                  {"UID MOVE 1 \"INBOX.Processed\"", "{tag} OK moved\r\n"}}));
  auto s = open_mailbox(endpoint(srv.url()));
  ASSERT_OK(s);
  ASSERT_TRUE((*s)->select("INBOX"));
  auto moved = (*s)->move_to({"1"}, "Processed");
  EXPECT_OK(moved);
  EXPECT_TRUE(srv.received("CREATE \"INBOX.Processed\""));
  EXPECT_FALSE(srv.received("CREATE \"Processed\""));
}

TEST(MailboxNamespace, RefusedCreateSaysWhereFoldersLive) {
  ScriptedServer srv(P::Imap, kImapGreeting,
                     cyrus_rules({{"UID MOVE 1 \"INBOX.Processed\"", "{tag} NO [TRYCREATE] No such mailbox\r\n"},
                                  {"CREATE \"INBOX.Processed\"", "{tag} NO [OVERQUOTA] Too many folders\r\n"}}));
  auto s = open_mailbox(endpoint(srv.url()));
  ASSERT_OK(s);
  ASSERT_TRUE((*s)->select("INBOX"));
  auto moved = (*s)->move_to({"1"}, "Processed");
  ASSERT_FALSE(moved);
  EXPECT_NE(moved.error().message.find("CREATE INBOX.Processed"), std::string::npos) << moved.error().message;
  EXPECT_NE(moved.error().message.find("[OVERQUOTA] Too many folders"), std::string::npos);
  EXPECT_NE(moved.error().hint.find("personal prefix \"INBOX.\""), std::string::npos) << moved.error().hint;
}

// The trace of a login: every line the secret travelled in is masked.
std::vector<std::string> trace_login(MailboxEndpoint ep, ScriptedServer& srv, bool expect_ok = true) {
  std::vector<std::string> lines;
  ep.trace = [&](std::string_view l) { lines.emplace_back(l); };
  auto s = open_mailbox(ep);
  EXPECT_EQ(static_cast<bool>(s), expect_ok) << (s ? "" : s.error().describe());
  if (s) {
    EXPECT_TRUE((*s)->close());
  }
  (void)srv;
  return lines;
}

void expect_no_secret(const std::vector<std::string>& lines, const std::vector<std::string>& secrets) {
  std::string all;
  for (const auto& l : lines) all += l + "\n";
  for (const auto& s : secrets) EXPECT_EQ(all.find(s), std::string::npos) << "secret " << s << " in\n" << all;
  EXPECT_NE(all.find("***"), std::string::npos) << all;
}

bool has_line(const std::vector<std::string>& lines, const std::string& want) {
  for (const auto& l : lines)
    if (l == want) return true;
  return false;
}

TEST(MailboxTrace, SecretsNeverAppear) {
  const std::string plain_ir = base64_encode(std::string("\0alice@example.org\0", 19) + kPassword);
  {  // IMAP AUTHENTICATE PLAIN with SASL-IR
    ScriptedServer srv(P::Imap, kImapGreeting,
                       imap_after_login({{"CAPABILITY", imap_caps("AUTH=PLAIN")},
                                         {"AUTHENTICATE PLAIN", "{tag} OK logged in\r\n"}}));
    auto lines = trace_login(endpoint(srv.url(), {"plain"}), srv);
    expect_no_secret(lines, {kPassword, plain_ir});
    EXPECT_TRUE(srv.received(plain_ir));  // the server did get it
    EXPECT_TRUE(has_line(lines, "S: * OK scripted IMAP ready"));
  }
  {  // IMAP SASL LOGIN: user and password as base64 continuation lines
    ScriptedServer srv(P::Imap, kImapGreeting,
                       imap_after_login({{"CAPABILITY", "* CAPABILITY IMAP4rev1 AUTH=LOGIN\r\n{tag} OK done\r\n"},
                                         {"AUTHENTICATE LOGIN", "+ VXNlcm5hbWU6\r\n"},
                                         {"", "+ UGFzc3dvcmQ6\r\n", true},
                                         {"", "A002 OK logged in\r\n", true}}));
    auto lines = trace_login(endpoint(srv.url(), {"login"}), srv);
    expect_no_secret(lines, {kPassword, base64_encode(kPassword), base64_encode("alice@example.org")});
  }
  {  // IMAP LOGIN command
    ScriptedServer srv(P::Imap, kImapGreeting,
                       imap_after_login({{"CAPABILITY", imap_caps("")}, {"LOGIN", "{tag} OK logged in\r\n"}}));
    auto lines = trace_login(endpoint(srv.url(), {"user"}), srv);
    expect_no_secret(lines, {kPassword});
    EXPECT_TRUE(has_line(lines, "C: L1 LOGIN \"alice@example.org\" ***"));
  }
  {  // POP3 USER/PASS and APOP
    ScriptedServer srv(P::Pop3, "+OK POP3 ready <1896.697170952@dbc.mailcom.mil>\r\n",
                       pop3_rules("+OK logged in\r\n", {{"APOP", "-ERR [AUTH] no APOP database\r\n"}}));
    auto lines = trace_login(endpoint(srv.url(), {"apop", "user"}), srv);
    expect_no_secret(lines, {kPassword});
    EXPECT_TRUE(has_line(lines, "C: APOP alice@example.org ***"));
    EXPECT_TRUE(has_line(lines, "C: PASS ***"));
    for (const auto& l : srv.lines())  // the digest the server got is nowhere in the trace
      if (l.starts_with("APOP ")) expect_no_secret(lines, {l.substr(l.rfind(' ') + 1)});
  }
  {  // XOAUTH2 with the bearer token
    const std::string token = "ya29.a0AfH6SMBx-token-value";
    ScriptedServer srv(P::Imap, kImapGreeting,
                       imap_after_login({{"CAPABILITY", imap_caps("AUTH=XOAUTH2")},
                                         {"AUTHENTICATE XOAUTH2", "{tag} OK logged in\r\n"}}));
    MailboxEndpoint ep = endpoint(srv.url());
    ep.password.clear();
    ep.oauth2_token = token;
    auto lines = trace_login(ep, srv);
    std::string ir = base64_encode("user=alice@example.org\x01" "auth=Bearer " + token + "\x01\x01");
    expect_no_secret(lines, {token, ir});
    EXPECT_TRUE(srv.received(ir));
  }
}

}  // namespace
}  // namespace crmr
