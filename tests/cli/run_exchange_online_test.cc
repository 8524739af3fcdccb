// Exchange Online sign-in built in: a mailbox with an oauth2 table gets its
// XOAUTH2 token itself, by the client-credentials grant at dataverse-sim's
// token endpoint (standing in for Entra ID), and logs in to a real Dovecot
// whose oauth2 passdb checks the token at the simulator's introspection
// endpoint (standing in for Exchange Online): the token must be active, for
// the Exchange Online scope, and the application must have been given the
// mailbox (Add-MailboxPermission: the simulator's --mailbox-access). With a
// client secret or a certificate; one token for the mailboxes of one app; a
// refused token replaced once. Skipped when dovecot is not installed.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "cli/mailbox_signin.h"
#include "tests/cli/cli_harness.h"
#include "tests/cli/dovecot_fixture.h"
#include "tests/cli/run_fixture.h"
#include "tests/core/crm/sim_harness.h"
#include "tests/core/crm/test_certificate.h"
#include "tests/support/result_matchers.h"

namespace crmr::test {
namespace {

constexpr char kScope[] = "https://outlook.office365.com/.default";

std::string mail(int n) {
  return "From: alice@customer.example\r\nTo: bob@contoso.example\r\nSubject: exo " +
         std::to_string(n) + "\r\nMessage-ID: <exo" + std::to_string(n) +
         "@customer.example>\r\nDate: Mon, 5 Jan 2026 10:00:00 +0000\r\n\r\nbody\r\n";
}

class ExchangeOnlineRun : public MailRunFixture {
 protected:
  static void SetUpTestSuite() {
    certs_ = new TempDir;
    app_ = make_certificate(certs_->file("app"));
    sim_ = new Sim(app_.cert.empty() ? std::vector<std::string>{}
                                     : std::vector<std::string>{"--client-certificate", app_.cert});
    if (sim_->port() <= 0) return;
    // This suite's Dovecot asks the simulator about tokens, and wants them
    // for Exchange Online.
    ::setenv("DOVECOT_OAUTH2_INTROSPECTION_URL", (sim_->base() + "/oauth2/introspect").c_str(), 1);
    ::setenv("DOVECOT_OAUTH2_SCOPE", kScope, 1);
    server_ = new Dovecot;
    if (!server_->start()) {
      delete server_;
      server_ = nullptr;
    }
    ::unsetenv("DOVECOT_OAUTH2_INTROSPECTION_URL");
    ::unsetenv("DOVECOT_OAUTH2_SCOPE");
  }
  static void TearDownTestSuite() {
    if (server_) server_->stop();
    delete server_;
    server_ = nullptr;
    delete sim_;
    sim_ = nullptr;
    delete certs_;
    certs_ = nullptr;
  }
  void SetUp() override {
    ASSERT_GT(sim_->port(), 0) << "dataverse-sim did not start";
    if (!server_) GTEST_SKIP() << "dovecot is not installed";
    set_up_user();
    grant(user_);
    ::setenv("CRMR_EXO_SECRET", "sec", 1);
    requests_before_ = token_requests();
  }
  TestMailServer* mail_server() const override { return server_; }

  // Add-MailboxPermission: the application may open `mailbox`.
  static void grant(const std::string& mailbox) {
    sim_->call("POST", "/_sim/mailbox-access", "{\"mailbox\": \"" + mailbox + "\"}");
  }
  static int token_requests() { return sim_->stats().value("token_requests", 0); }
  int new_token_requests() const { return token_requests() - requests_before_; }

  std::string oauth2(const std::string& credential = "client_secret_env = \"CRMR_EXO_SECRET\"") const {
    return "oauth2 = { tenant = \"contoso.onmicrosoft.com\", client_id = \"cid\", " + credential +
           ", token_url = \"" + sim_->base() + "/{tenant}/oauth2/v2.0/token\" }\n";
  }
  std::string box(const std::string& name, const std::string& url, const std::string& credential_line,
                  const std::string& after = "seen") const {
    return "[[mailbox]]\nname = \"" + name + "\"\nurl = \"" + url + "\"\nuser = \"" + user_ + "\"\n" +
           credential_line + "tls_ca_file = \"" + server_->ca_file() + "\"\nall = true\nafter = \"" +
           after + "\"\n";
  }
  std::string dovecot_log() const { return read_file(server_->dir() + "/dovecot.log"); }

  inline static Dovecot* server_ = nullptr;
  inline static Sim* sim_ = nullptr;
  inline static TempDir* certs_ = nullptr;
  inline static TestCertificate app_;
  int requests_before_ = 0;
};

TEST_F(ExchangeOnlineRun, ImapLogsInWithATokenItObtainedItself) {
  server_->deliver(user_, "m1", mail(1));
  server_->deliver(user_, "m2", mail(2));
  auto r = run(config(box("exo", server_->imap_url(), oauth2())));
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(outcomes(), (std::vector<std::string>{"queued", "queued"}));
  EXPECT_EQ(server_->flags(user_)["m1"], "S");
  EXPECT_NE(dovecot_log().find("user=<" + user_ + ">, method=XOAUTH2"), std::string::npos);
  EXPECT_EQ(new_token_requests(), 1);
  EXPECT_EQ((r.out + r.err).find("sec\""), std::string::npos);
}

TEST_F(ExchangeOnlineRun, MailboxesOfOneAppShareOneToken) {
  server_->deliver(user_, "p1", mail(3));
  const std::string both = box("exo-imap", server_->imap_url(), oauth2(), "leave") +
                           box("exo-pop3", server_->pop3_url(), oauth2(), "leave");
  auto r = run(config(both));
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(outcomes(), (std::vector<std::string>{"queued", "duplicate"}));
  EXPECT_EQ(new_token_requests(), 1);
}

TEST_F(ExchangeOnlineRun, ACertificateIsTheCredential) {
  if (app_.cert.empty()) GTEST_SKIP() << "openssl cannot make certificates";
  server_->deliver(user_, "c1", mail(4));
  const std::string pem = t_.write("app.pem", slurp(app_.combined));
  auto r = run(config(box("exo", server_->imaps_url(), oauth2("certificate = \"" + pem + "\""))));
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(outcomes(), (std::vector<std::string>{"queued"}));
  EXPECT_EQ(new_token_requests(), 1);
}

TEST_F(ExchangeOnlineRun, ASecretFileIsItsFirstLineAndWarnedAboutWhenOthersMayReadIt) {
  server_->deliver(user_, "f1", mail(7));
  const std::string secret = t_.write("exo.secret", "sec\r\nsecond line\n");
  std::filesystem::permissions(secret, std::filesystem::perms::owner_read |
                                           std::filesystem::perms::owner_write |
                                           std::filesystem::perms::others_read);
  const std::string cfg =
      config(box("exo", server_->imap_url(), oauth2("client_secret_file = \"" + secret + "\"")));
  auto r = run(cfg);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(outcomes(), (std::vector<std::string>{"queued"}));
  EXPECT_NE(r.err.find("mailbox exo: oauth2.client_secret_file " + secret +
                       " is readable by group or others"),
            std::string::npos)
      << r.err;
  EXPECT_EQ((r.out + r.err).find("second line"), std::string::npos);
  std::filesystem::permissions(secret, std::filesystem::perms::owner_read |
                                           std::filesystem::perms::owner_write);
  auto quiet = run(cfg);
  EXPECT_EQ(quiet.err.find("exo.secret is readable"), std::string::npos) << quiet.err;
}

TEST_F(ExchangeOnlineRun, AWrongSecretIsAnAuthenticationFailureNamingTheMailbox) {
  ::setenv("CRMR_EXO_SECRET", "not-the-secret", 1);
  server_->deliver(user_, "w1", mail(5));
  auto r = run(config(box("exo", server_->imap_url(), oauth2())));
  EXPECT_EQ(r.code, 4) << r.out << r.err;  // a mailbox unreachable or authentication failed
  const std::string all = r.out + r.err;
  EXPECT_NE(all.find("mailbox exo"), std::string::npos) << all;
  EXPECT_NE(all.find("invalid_client"), std::string::npos) << all;
  EXPECT_EQ(all.find("not-the-secret"), std::string::npos) << all;
  EXPECT_EQ(server_->flags(user_)["w1"], "");  // untouched
}

TEST_F(ExchangeOnlineRun, AMissingSecretIsAConfigurationError) {
  ::unsetenv("CRMR_EXO_SECRET");
  auto r = run(config(box("exo", server_->imap_url(), oauth2())));
  EXPECT_EQ(r.code, 3) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("CRMR_EXO_SECRET"), std::string::npos) << r.out << r.err;
  EXPECT_EQ(new_token_requests(), 0);
}

TEST_F(ExchangeOnlineRun, AMailboxTheAppWasNotGivenIsRefusedAfterOneNewToken) {
  grant("somebody-else");
  server_->deliver(user_, "n1", mail(6));
  auto r = run(config(box("exo", server_->imap_url(), oauth2())));
  EXPECT_EQ(r.code, 4) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("mailbox exo"), std::string::npos) << r.out << r.err;
  EXPECT_EQ(new_token_requests(), 2);  // refused, asked once more, refused again
  EXPECT_EQ(server_->flags(user_)["n1"], "");
}

TEST_F(ExchangeOnlineRun, ATokenTheServerRefusesIsReplacedOnce) {
  MailboxConfig m;
  m.name = "exo";
  m.url = server_->imap_url();
  m.user = user_;
  m.tls_ca_file = server_->ca_file();
  MailboxOAuth2 o;
  o.tenant = "t1";
  o.client_id = "cid";
  o.client_secret_env = "CRMR_EXO_SECRET";
  o.token_url = sim_->base() + "/t1/oauth2/v2.0/token";
  m.oauth2 = o;
  // In-process: the logger every command ends with run_cli() dropping.
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("exchange-online-test"));
  MailboxTokens tokens;
  std::vector<std::string> warnings;
  auto first = tokens.token(m, warnings);
  ASSERT_TRUE(first) << first.error().message;
  // The identity platform revokes it (or it expired early): Dovecot's
  // introspection now calls it inactive.
  sim_->call("POST", "/_sim/expire-tokens");
  auto session = sign_in(m, tokens, warnings);
  ASSERT_OK(session);
  EXPECT_EQ((*session)->logged_in_with(), "xoauth2");
  EXPECT_TRUE((*session)->close());
  EXPECT_EQ(tokens.requests(), 2u);
  auto kept = tokens.token(m, warnings);  // the new one is kept for the next mailbox
  ASSERT_TRUE(kept);
  EXPECT_NE(*kept, *first);
  EXPECT_EQ(tokens.requests(), 2u);
}

}  // namespace
}  // namespace crmr::test
