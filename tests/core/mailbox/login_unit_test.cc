// The pure parts of logging in: masking a protocol trace, reading a server's
// refusal, what a server offers, and folder names against a namespace.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/mailbox/imap_namespace.h"
#include "core/mailbox/login_mechanism.h"
#include "core/mailbox/login_refusal.h"
#include "core/mailbox/protocol_trace.h"

namespace crmr {
namespace {

TEST(ProtocolTrace, MasksEveryCredentialLine) {
  struct Case {
    std::vector<std::string> client;  // lines in order
    std::vector<std::string> want;
  };
  const std::vector<Case> cases = {
      {{"A001 LOGIN \"bob@x.org\" \"pa ss\""}, {"A001 LOGIN \"bob@x.org\" ***"}},
      {{"A001 LOGIN bob hunter22"}, {"A001 LOGIN bob ***"}},
      {{"A002 AUTHENTICATE PLAIN AGJvYgBodW50ZXIyMg=="}, {"A002 AUTHENTICATE PLAIN ***"}},
      {{"A002 AUTHENTICATE LOGIN", "Ym9i", "aHVudGVyMjI="},
       {"A002 AUTHENTICATE LOGIN", "***", "***"}},
      {{"AUTH XOAUTH2 dXNlcj1ib2IBYXV0aD1CZWFyZXIgdG9rAQE="}, {"AUTH XOAUTH2 ***"}},
      {{"USER bob", "PASS hunter22"}, {"USER bob", "PASS ***"}},
      {{"APOP bob c4c9334bac560ecc979e58001b3e22fb"}, {"APOP bob ***"}},
      {{"A003 SELECT \"INBOX\""}, {"A003 SELECT \"INBOX\""}},
      {{"A004 NOOP hunter22"}, {"A004 NOOP ***"}},  // the password anywhere else
  };
  for (const auto& c : cases) {
    ProtocolTrace t([](std::string_view) {}, {"hunter22"});
    for (std::size_t i = 0; i < c.client.size(); ++i)
      EXPECT_EQ(t.mask_client_line(c.client[i]), c.want[i]) << c.client[i];
  }
}

TEST(ProtocolTrace, SaslExchangeEndsWithTheServersAnswer) {
  std::vector<std::string> out;
  ProtocolTrace t([&](std::string_view l) { out.emplace_back(l); }, {});
  t.client("AUTH PLAIN\r\n");
  t.server("+ \r\n");
  t.client("AGJvYgBodW50ZXIyMg==\r\n");
  t.server("+OK logged in\r\n");
  t.client("STAT\r\n");
  EXPECT_EQ(out, (std::vector<std::string>{"C: AUTH PLAIN", "S: + ", "C: ***", "S: +OK logged in",
                                           "C: STAT"}));
}

TEST(ProtocolTrace, MessageContentsAfterLoginAreCutShort) {
  std::vector<std::string> out;
  ProtocolTrace t([&](std::string_view l) { out.emplace_back(l); }, {});
  t.server(std::string(10000, 'x') + "\r\n", true);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1], "S: ... (7954 more bytes not traced)");
}

TEST(LoginRefusal, ReadsTheServersCode) {
  struct Case {
    std::string line, text, code;
  };
  const std::vector<Case> cases = {
      {"-ERR [LOGIN-DELAY] Minimum time between mail checks violation",
       "-ERR [LOGIN-DELAY] Minimum time between mail checks violation", "LOGIN-DELAY"},
      {"-ERR [IN-USE] locked\r\n", "-ERR [IN-USE] locked", "IN-USE"},
      {"-ERR [SYS/TEMP] try later", "-ERR [SYS/TEMP] try later", "SYS/TEMP"},
      {"-ERR authentication failed", "-ERR authentication failed", ""},
      {"A002 NO [AUTHENTICATIONFAILED] Authentication failed.",
       "NO [AUTHENTICATIONFAILED] Authentication failed.", "AUTHENTICATIONFAILED"},
      {"A002 NO [ALERT] Your account is locked", "NO [ALERT] Your account is locked", "ALERT"},
      {"* BYE [UNAVAILABLE] shutting down", "BYE [UNAVAILABLE] shutting down", "UNAVAILABLE"},
  };
  for (const auto& c : cases) {
    auto r = parse_login_refusal(c.line);
    ASSERT_TRUE(r) << c.line;
    EXPECT_EQ(r->text, c.text);
    EXPECT_EQ(r->code, c.code);
  }
  for (const char* not_refusal : {"+OK fine", "A001 OK done", "* CAPABILITY IMAP4rev1", "+ "})
    EXPECT_FALSE(parse_login_refusal(not_refusal)) << not_refusal;
}

TEST(LoginRefusal, TransientCodesAreRetriedNextRun) {
  for (const char* code : {"LOGIN-DELAY", "IN-USE", "UNAVAILABLE", "SYS/TEMP"}) {
    Error e = login_refused("pop3://h", "user", {std::string("-ERR [") + code + "] x", code});
    EXPECT_EQ(e.retry, Retry::Later) << code;
    EXPECT_TRUE(is_transient_login_refusal(e)) << code;
    EXPECT_EQ(e.hint.find("check the user name"), std::string::npos);
  }
  for (const char* code : {"AUTH", "AUTHENTICATIONFAILED", "ALERT", ""}) {
    Error e = login_refused("imap://h", "plain", {"NO x", code});
    EXPECT_EQ(e.code, Code::MailboxAuth) << code;
    EXPECT_EQ(e.retry, Retry::Never) << code;
  }
}

TEST(LoginRefusal, TooManyConnectionsIsTransientWithoutACode) {
  for (const char* text : {"-ERR Too many connections from your IP",
                           "NO Maximum number of connections from user+IP exceeded (mail_max_userip_connections=10)",
                           "BYE Too many simultaneous logins"}) {
    Error e = login_refused("imap://h", "plain", {text, ""});
    EXPECT_EQ(e.retry, Retry::Later) << text;
    EXPECT_TRUE(is_transient_login_refusal(e)) << text;
  }
}

TEST(ServerOffer, ReadsGreetingAndCapabilities) {
  ServerOffer pop3(true);
  EXPECT_TRUE(pop3.offers(LoginMechanism::Apop));  // unknown yet: worth a try
  pop3.read("+OK POP3 ready <1896.697170952@dbc.mailcom.mil>");
  pop3.read("SASL GSSAPI PLAIN");
  EXPECT_TRUE(pop3.offers(LoginMechanism::Apop));
  EXPECT_TRUE(pop3.offers(LoginMechanism::Plain));
  EXPECT_FALSE(pop3.offers(LoginMechanism::Login));
  EXPECT_TRUE(pop3.offers(LoginMechanism::User));
  EXPECT_EQ(pop3.describe(), "SASL GSSAPI PLAIN, APOP, USER/PASS");

  ServerOffer imap(false);
  imap.read("* OK [CAPABILITY IMAP4rev1 LOGINDISABLED STARTTLS] ready");
  EXPECT_FALSE(imap.offers(LoginMechanism::User));
  imap.read("* CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2");  // after STARTTLS
  EXPECT_TRUE(imap.offers(LoginMechanism::User));
  EXPECT_TRUE(imap.offers(LoginMechanism::Xoauth2));
  EXPECT_FALSE(imap.offers(LoginMechanism::Apop));
}

TEST(LoginPlan, DefaultNeverUsesGssapiOrNtlm) {
  auto plan = login_plan({}, false);
  EXPECT_EQ(plan, (std::vector<LoginMechanism>{LoginMechanism::Plain, LoginMechanism::Login,
                                               LoginMechanism::User}));
  EXPECT_EQ(login_plan({}, true), std::vector<LoginMechanism>{LoginMechanism::Xoauth2});
  EXPECT_EQ(login_plan({"apop", "user"}, false),
            (std::vector<LoginMechanism>{LoginMechanism::Apop, LoginMechanism::User}));
  EXPECT_EQ(curl_login_options(LoginMechanism::Plain), "AUTH=PLAIN");
  EXPECT_EQ(curl_login_options(LoginMechanism::Apop), "AUTH=+APOP");
  EXPECT_EQ(curl_login_options(LoginMechanism::CramMd5), "AUTH=CRAM-MD5");
}

TEST(ImapNamespace, DovecotDefaultKeepsNamesAsWritten) {
  ImapNamespace ns;
  ns.known = true;
  ns.separator = "/";
  EXPECT_EQ(ns.resolve("Processed"), "Processed");
  EXPECT_EQ(ns.resolve("Archive/2024"), "Archive/2024");
  ns.separator = ".";
  EXPECT_EQ(ns.resolve("Archive/2024"), "Archive.2024");
  EXPECT_EQ(ns.resolve("Inbox"), "INBOX");
}

}  // namespace
}  // namespace crmr
