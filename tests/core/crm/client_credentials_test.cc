// The OAuth 2.0 client-credentials token code the CRM and the Exchange Online
// mailboxes share (core/crm/client_credentials.h), against dataverse-sim's
// token endpoint: the token is kept until it has less than 5 minutes left,
// asked for again after a refusal, and a certificate's client assertion is
// accepted as the credential when the simulator has that certificate
// registered, refused when it has another.
#include <gtest/gtest.h>

#include "core/crm/client_assertion.h"
#include "core/crm/client_credentials.h"
#include "tests/cli/cli_harness.h"
#include "tests/core/crm/sim_harness.h"
#include "tests/core/crm/test_certificate.h"
#include "tests/support/result_matchers.h"

namespace crmr::test {
namespace {

using dataverse::ClientAssertionSigner;
using dataverse::ClientCredentials;
using dataverse::ClientCredentialsOptions;
using dataverse::Clock;

ClientCredentialsOptions options(const Sim& sim) {
  ClientCredentialsOptions o;
  o.token_url = sim.base() + "/t1/oauth2/v2.0/token";
  o.client_id = "cid";
  o.client_secret = "sec";
  o.scope = "https://outlook.office365.com/.default";
  o.max_attempts = 2;
  o.backoff_base = std::chrono::milliseconds(1);
  return o;
}

int token_requests(const Sim& sim) { return sim.stats().value("token_requests", -1); }

TEST(ClientCredentials, KeepsTheTokenUntilFiveMinutesBeforeItExpires) {
  Sim sim({"--token-ttl", "3600"});
  ASSERT_GT(sim.port(), 0);
  Clock::time_point now = Clock::now();
  auto o = options(sim);
  o.now = [&] { return now; };
  ClientCredentials c(o);
  auto first = c.token();
  ASSERT_TRUE(first) << first.error().message;
  now += std::chrono::minutes(54);
  auto again = c.token();
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *first);
  EXPECT_EQ(token_requests(sim), 1);
  now += std::chrono::minutes(2);  // 4 minutes left: refreshed before it expires
  auto fresh = c.token();
  ASSERT_TRUE(fresh);
  EXPECT_NE(*fresh, *first);
  EXPECT_EQ(token_requests(sim), 2);
}

TEST(ClientCredentials, ARefusedTokenIsReplacedOnce) {
  Sim sim(std::vector<std::string>{});
  ASSERT_GT(sim.port(), 0);
  ClientCredentials c(options(sim));
  auto first = c.token();
  ASSERT_TRUE(first);
  c.refused("some-older-token");  // not the one held: kept
  EXPECT_EQ(*c.token(), *first);
  c.refused(*first);
  auto second = c.token();
  ASSERT_TRUE(second);
  EXPECT_NE(*second, *first);
  EXPECT_EQ(c.requests(), 2u);
}

TEST(ClientCredentials, AWrongSecretIsTheIdentityPlatformsRefusalWithTheGivenCode) {
  Sim sim(std::vector<std::string>{});
  ASSERT_GT(sim.port(), 0);
  auto o = options(sim);
  o.client_secret = "not-the-secret";
  o.error_code = Code::MailboxAuth;
  o.error_scope = Scope::Mailbox;
  o.hint = "check the mailbox's oauth2";
  ClientCredentials c(o);
  auto t = c.token();
  ASSERT_FALSE(t);
  EXPECT_ERROR_CODE(t, Code::MailboxAuth);
  EXPECT_EQ(t.error().scope, Scope::Mailbox);
  EXPECT_NE(t.error().message.find("invalid_client"), std::string::npos) << t.error().message;
  EXPECT_EQ(t.error().message.find("not-the-secret"), std::string::npos);
  EXPECT_EQ(t.error().hint, "check the mailbox's oauth2");
  EXPECT_EQ(c.requests(), 1u);  // a refusal is not retried
}

class CertificateCredential : public ::testing::Test {
 protected:
  void SetUp() override {
    app_ = make_certificate(dir_.file("app"));
    other_ = make_certificate(dir_.file("other"));
    if (app_.cert.empty() || other_.cert.empty()) GTEST_SKIP() << "openssl cannot make certificates";
  }
  TempDir dir_;
  TestCertificate app_, other_;
};

TEST_F(CertificateCredential, TheRegisteredCertificateGetsAToken) {
  Sim sim({"--client-certificate", app_.cert});
  ASSERT_GT(sim.port(), 0);
  auto signer = ClientAssertionSigner::load(slurp(app_.combined), "", "app.pem");
  ASSERT_TRUE(signer) << signer.error().message;
  EXPECT_EQ(signer->sha1_thumbprint().size(), 40u);
  auto o = options(sim);
  o.client_secret.clear();
  o.certificate = *signer;
  ClientCredentials c(o);
  auto t = c.token();
  ASSERT_TRUE(t) << t.error().message;
  // The same with the key in a file of its own.
  auto split = ClientAssertionSigner::load(slurp(app_.cert), slurp(app_.key), "app.crt");
  ASSERT_TRUE(split) << split.error().message;
  o.certificate = *split;
  EXPECT_TRUE(ClientCredentials(o).token());
}

TEST_F(CertificateCredential, AnotherCertificateIsRefused) {
  Sim sim({"--client-certificate", app_.cert});
  ASSERT_GT(sim.port(), 0);
  auto signer = ClientAssertionSigner::load(slurp(other_.combined), "", "other.pem");
  ASSERT_TRUE(signer);
  auto o = options(sim);
  o.certificate = *signer;
  auto t = ClientCredentials(o).token();
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().message.find("AADSTS700027"), std::string::npos) << t.error().message;
}

TEST_F(CertificateCredential, AKeyThatIsNotTheCertificatesIsRefusedWhenLoaded) {
  auto s = ClientAssertionSigner::load(slurp(app_.cert), slurp(other_.key), "app.crt");
  ASSERT_FALSE(s);
  EXPECT_ERROR_CODE(s, Code::AuthCertificate);
  EXPECT_NE(s.error().message.find("does not belong"), std::string::npos) << s.error().message;
  EXPECT_EQ(s.error().message.find("PRIVATE KEY"), std::string::npos);
}

TEST_F(CertificateCredential, MissingOrEncryptedOrNonRsaKeysAreRefusedWhenLoaded) {
  EXPECT_FALSE(ClientAssertionSigner::load(slurp(app_.cert), "", "no key"));
  EXPECT_FALSE(ClientAssertionSigner::load("not a certificate", "", "junk"));
  const std::string encrypted = dir_.file("enc.key");
  ASSERT_EQ(std::system(("openssl pkey -in '" + app_.key + "' -aes256 -passout pass:x -out '" +
                         encrypted + "' 2>/dev/null").c_str()),
            0);
  auto enc = ClientAssertionSigner::load(slurp(app_.cert), slurp(encrypted), "enc");
  ASSERT_FALSE(enc);
  EXPECT_NE(enc.error().message.find("unencrypted"), std::string::npos) << enc.error().message;
  auto ec = make_certificate(dir_.file("ec"), "ec -pkeyopt ec_paramgen_curve:P-256");
  ASSERT_FALSE(ec.cert.empty());
  auto e = ClientAssertionSigner::load(slurp(ec.combined), "", "ec.pem");
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("not an RSA key"), std::string::npos) << e.error().message;
}

TEST(ClientAssertion, Base64UrlHasNoPaddingAndUrlSafeLetters) {
  EXPECT_EQ(dataverse::base64url(""), "");
  EXPECT_EQ(dataverse::base64url("f"), "Zg");
  EXPECT_EQ(dataverse::base64url("fo"), "Zm8");
  EXPECT_EQ(dataverse::base64url("foo"), "Zm9v");
  EXPECT_EQ(dataverse::base64url("\xfb\xff"), "-_8");
}

}  // namespace
}  // namespace crmr::test
