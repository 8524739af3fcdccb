// Mailboxes that log in with an OAuth2 bearer token (SASL XOAUTH2, as
// Exchange Online requires), end to end against a real Dovecot whose oauth2
// passdb asks a token introspection endpoint (scripts/dovecot-test-server):
// the token from the environment or from a command, IMAP and POP3, and a
// refused token. Skipped when dovecot is not installed.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>

#include "tests/cli/cli_harness.h"
#include "tests/cli/dovecot_fixture.h"
#include "tests/cli/run_fixture.h"

namespace crmr::test {
namespace {

std::string mail(int n) {
  return "From: alice@customer.example\r\nTo: bob@contoso.example\r\nSubject: oauth " +
         std::to_string(n) + "\r\nMessage-ID: <oa" + std::to_string(n) +
         "@customer.example>\r\nDate: Mon, 5 Jan 2026 10:00:00 +0000\r\n\r\nbody\r\n";
}

class RunOAuth2Test : public DovecotRunTest {
 protected:
  // A mailbox of this test's user logging in with the token `how` names
  // ("oauth2_token_env = ..." or "oauth2_token_command = ...").
  std::string box(const std::string& url, const std::string& how, const std::string& after = "seen") const {
    return "[[mailbox]]\nname = \"oauth\"\nurl = \"" + url + "\"\nuser = \"" + user_ + "\"\n" + how +
           "\ntls_ca_file = \"" + server_->ca_file() + "\"\nall = true\nafter = \"" + after + "\"\n";
  }
};

TEST_F(RunOAuth2Test, ImapTokenFromTheEnvironmentLogsInByXoauth2) {
  const std::string token = "eyJ0eXAiOiJKV1Qi.imap-" + user_;
  server_->add_token(user_, token);
  ::setenv("CRMR_TEST_TOKEN", token.c_str(), 1);
  server_->deliver(user_, "m1", mail(1));
  server_->deliver(user_, "m2", mail(2));
  auto r = run(config(box(server_->imap_url(), "oauth2_token_env = \"CRMR_TEST_TOKEN\"")));
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(outcomes(), (std::vector<std::string>{"queued", "queued"}));
  EXPECT_EQ(server_->flags(user_)["m1"], "S");
  const std::string log = read_file(server_->dir() + "/dovecot.log");
  EXPECT_NE(log.find("user=<" + user_ + ">, method=XOAUTH2"), std::string::npos);
  EXPECT_EQ(r.out.find(token), std::string::npos);  // never the token
  EXPECT_EQ(r.err.find(token), std::string::npos);
}

TEST_F(RunOAuth2Test, Pop3TokenFromACommand) {
  const std::string token = "pop3-token-" + user_;
  server_->add_token(user_, token);
  server_->deliver(user_, "p1", mail(3));
  auto r = run(config(box(server_->pop3_url(), "oauth2_token_command = \"echo " + token + "\"", "delete")));
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(outcomes(), (std::vector<std::string>{"queued"}));
  EXPECT_TRUE(server_->flags(user_).empty());  // POP3: deleted once recorded
}

TEST_F(RunOAuth2Test, RefusedTokenIsAnAuthenticationFailureNamingTheMailbox) {
  ::setenv("CRMR_TEST_TOKEN", "expired-token-never-issued", 1);
  server_->deliver(user_, "m1", mail(4));
  auto r = run(config(box(server_->imap_url(), "oauth2_token_env = \"CRMR_TEST_TOKEN\"")));
  EXPECT_EQ(r.code, 4) << r.out << r.err;  // a mailbox unreachable or authentication failed
  const std::string all = r.out + r.err;
  EXPECT_NE(all.find("mailbox oauth"), std::string::npos) << all;
  EXPECT_NE(all.find("login refused"), std::string::npos) << all;
  EXPECT_EQ(all.find("expired-token-never-issued"), std::string::npos) << all;
  EXPECT_EQ(server_->flags(user_)["m1"], "");  // still there, unread
}

}  // namespace
}  // namespace crmr::test
