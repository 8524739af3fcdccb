// The oauth2 table of a [[mailbox]]: Exchange Online's defaults, the
// credential (secret from the environment or a file, or a certificate), paths
// relative to the configuration file, and every mistake named with its line.
#include <gtest/gtest.h>

#include <filesystem>

#include "cli/config/config.h"
#include "tests/cli/config/config_test_util.h"

namespace crmr {
namespace {

std::string box(const std::string& oauth2, const std::string& extra = "") {
  return "[[mailbox]]\nname = \"exo\"\nurl = \"imaps://outlook.office365.com\"\n"
         "user = \"crm-forward@contoso.com\"\nall = true\n" + extra + "oauth2 = " + oauth2 + "\n";
}

TEST(MailboxOAuth2Config, ExchangeOnlineDefaults) {
  auto cfg = test::load_config_text(box(R"({ tenant = "contoso.onmicrosoft.com", client_id = "app-id", client_secret_env = "EXO_SECRET" })"));
  ASSERT_TRUE(cfg) << cfg.error().message;
  const MailboxConfig& m = cfg->mailboxes.at(0);
  ASSERT_TRUE(m.oauth2);
  EXPECT_TRUE(m.uses_oauth2());
  EXPECT_EQ(m.oauth2->client_id, "app-id");
  EXPECT_EQ(m.oauth2->client_secret_env, "EXO_SECRET");
  EXPECT_EQ(m.oauth2->scope, "https://outlook.office365.com/.default");
  EXPECT_EQ(m.oauth2->token_url,
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token");
}

TEST(MailboxOAuth2Config, CertificateAndOverridesWithPathsFromTheConfigFolder) {
  // Written as a sub-table of the [[mailbox]] (TOML keeps an inline table on one line).
  auto cfg = test::load_config_text(
      "[[mailbox]]\nname = \"exo\"\nurl = \"imaps://outlook.office365.com\"\n"
      "user = \"crm-forward@contoso.com\"\nall = true\nauth = \"xoauth2\"\n"
      "[mailbox.oauth2]\nclient_id = \"app-id\"\ncertificate = \"keys/exo.crt\"\n"
      "certificate_key = \"keys/exo.key\"\n"
      "token_url = \"http://127.0.0.1:8080/t1/oauth2/v2.0/token\"\nscope = \"api://x/.default\"\n");
  ASSERT_TRUE(cfg) << cfg.error().message;
  const MailboxOAuth2& o = *cfg->mailboxes.at(0).oauth2;
  EXPECT_TRUE(std::filesystem::path(o.certificate).is_absolute()) << o.certificate;
  EXPECT_TRUE(o.certificate.ends_with("keys/exo.crt"));
  EXPECT_TRUE(o.certificate_key.ends_with("keys/exo.key"));
  EXPECT_EQ(o.token_url, "http://127.0.0.1:8080/t1/oauth2/v2.0/token");  // no {tenant}: none needed
  EXPECT_EQ(o.scope, "api://x/.default");
  EXPECT_EQ(cfg->mailboxes.at(0).auth, std::vector<std::string>{"xoauth2"});
}

TEST(MailboxOAuth2Config, MistakesAreNamedWithTheirLine) {
  const std::vector<test::BadConfig> cases = {
      {box(R"({ tenant = "t", client_id = "a" })"),
       ":6: mailbox \"exo\".oauth2 needs client_secret_env, client_secret_file or certificate"},
      {box(R"({ tenant = "t", client_id = "a", client_secret_env = "S", certificate = "c.pem" })"),
       "oauth2 must have only one of client_secret_env, client_secret_file or certificate"},
      {box(R"({ tenant = "t", client_id = "a", client_secret = "hunter2" })"),
       "oauth2.client_secret: a secret must never be written in the configuration file"},
      {box(R"({ tenant = "t", client_secret_env = "S" })"), "oauth2 needs client_id"},
      {box(R"({ client_id = "a", client_secret_env = "S" })"), "oauth2 needs tenant"},
      {box(R"({ tenant = "t", client_id = "a", client_secret_env = "S", scope = "https://outlook.office365.com/IMAP.AccessAsApp" })"),
       "oauth2.scope must end in /.default"},
      {box(R"({ tenant = "t", client_id = "a", client_secret_env = "S", colour = 1 })"),
       "unknown key mailbox \"exo\".oauth2.colour"},
      {box(R"({ tenant = "t", client_id = "a", client_secret_env = "S", certificate_key = "k.pem" })"),
       "oauth2.certificate_key goes with certificate"},
      {box(R"("EXO_TOKEN")"), "oauth2 must be a table"},
      {box(R"({ tenant = "t", client_id = "a", client_secret_env = "S" })", "password_env = \"P\"\n"),
       "has more than one of password_env, password_file, oauth2"},
      {box(R"({ tenant = "t", client_id = "a", client_secret_env = "S" })", "auth = \"plain\"\n"),
       "auth: plain needs a password"},
  };
  test::expect_refused(cases);
}

}  // namespace
}  // namespace crmr
