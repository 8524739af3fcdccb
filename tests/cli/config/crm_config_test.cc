// The [crm] section of the configuration file.
#include <gtest/gtest.h>

#include <filesystem>

#include "cli/config/config.h"
#include "tests/cli/config/config_test_util.h"

namespace crmr {
namespace {

TEST(CrmConfig, ClientCredentialsWithDefaults) {
  auto cfg = test::load_config_text(R"([crm]
url = "https://contoso.crm4.dynamics.com/api/data/v9.2"
tenant = "contoso.onmicrosoft.com"
client_id = "app"
client_secret_env = "CRM_SECRET"
)");
  ASSERT_TRUE(cfg) << cfg.error().message;
  const CrmConfig& c = cfg->crm;
  EXPECT_TRUE(c.configured());
  EXPECT_EQ(c.url, "https://contoso.crm4.dynamics.com/api/data/v9.2/");
  EXPECT_EQ(c.token_url, "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token");
  EXPECT_EQ(c.scope, "https://contoso.crm4.dynamics.com/.default");
  EXPECT_EQ(c.concurrency, 8u);
  EXPECT_EQ(c.mode, "local");
  EXPECT_TRUE(c.queue_items) << "as Dynamics' CreateQueueItemsForAcceptingQueueRecipients";
  EXPECT_TRUE(c.queue_items_in_batch);
  EXPECT_FALSE(c.apply_record_rules) << "opt-in";
}

TEST(CrmConfig, ACertificateInsteadOfASecretWithPathsFromTheConfigFolder) {
  auto cfg = test::load_config_text(R"([crm]
url = "https://contoso.crm4.dynamics.com/api/data/v9.2/"
tenant = "contoso.onmicrosoft.com"
client_id = "app"
certificate = "app.crt"
certificate_key = "/etc/crm-router/app.key"
)");
  ASSERT_TRUE(cfg) << cfg.error().message;
  const CrmConfig& c = cfg->crm;
  EXPECT_EQ(c.certificate, (std::filesystem::temp_directory_path() / "app.crt").string());
  EXPECT_EQ(c.certificate_key, "/etc/crm-router/app.key");
  EXPECT_TRUE(c.client_secret_env.empty());
}

TEST(CrmConfig, BearerAndEveryKey) {
  auto cfg = test::load_config_text(R"([crm]
url = "http://127.0.0.1:8080/api/data/v9.2/"
auth = "bearer"
token_env = "CRM_TOKEN"
scope = "x/.default"
concurrency = 52
mode = "server"
tls_ca_file = "/etc/ca.pem"
tls_verify = false
timeout_s = 5
max_attempts = 2
queue_items = false
queue_items_in_batch = false
apply_record_rules = true
)");
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_FALSE(cfg->crm.queue_items);
  EXPECT_FALSE(cfg->crm.queue_items_in_batch);
  EXPECT_TRUE(cfg->crm.apply_record_rules);
  EXPECT_EQ(cfg->crm.auth, "bearer");
  EXPECT_EQ(cfg->crm.concurrency, 52u);
  EXPECT_EQ(cfg->crm.mode, "server");
  EXPECT_FALSE(cfg->crm.tls_verify);
  EXPECT_EQ(cfg->crm.scope, "x/.default");
}

TEST(CrmConfig, ProblemsNameFileLine) {
  const std::vector<test::BadConfig> cases = {
      {"[crm]\nurl = \"https://a/\"\nclient_id = \"x\"\nclient_secret_env = \"S\"\ntenant = \"t\"\ncolour = 1\n",
       ":6: unknown key crm.colour"},
      {"[crm]\nurl = \"https://a/\"\nauth = \"bearer\"\ntoken_env = \"T\"\nclient_secret = \"hunter2\"\n",
       ":5: crm.client_secret: secrets are not read from the configuration file"},
      {"[crm]\nurl = \"ftp://a/\"\nauth = \"bearer\"\ntoken_env = \"T\"\n", ":2: crm.url must start with https://"},
      {"[crm]\nurl = \"https://a/\"\nauth = \"bearer\"\ntoken_env = \"T\"\nconcurrency = 53\n",
       ":5: crm.concurrency must be 1..52"},
      {"[crm]\nurl = \"https://a/\"\nauth = \"bearer\"\ntoken_env = \"T\"\nmode = \"cloud\"\n",
       ":5: crm.mode must be"},
      {"[crm]\nurl = \"https://a/\"\nauth = \"basic\"\n", ":3: crm.auth must be"},
      {"[crm]\nurl = \"https://a/\"\nclient_id = \"x\"\ntenant = \"t\"\n",
       "give exactly one of client_secret_env, client_secret_file and certificate"},
      {"[crm]\nurl = \"https://a/\"\nclient_id = \"x\"\ntenant = \"t\"\nclient_secret_env = \"S\"\n"
       "certificate = \"app.pem\"\n",
       "give exactly one of client_secret_env, client_secret_file and certificate"},
      {"[crm]\nurl = \"https://a/\"\nclient_id = \"x\"\ntenant = \"t\"\nclient_secret_env = \"S\"\n"
       "certificate_key = \"app.key\"\n",
       ":6: crm.certificate_key goes with certificate"},
      {"[crm]\nurl = \"https://a/\"\nclient_id = \"x\"\nclient_secret_env = \"S\"\n", "crm.tenant is required"},
      {"[crm]\nauth = \"bearer\"\ntoken_env = \"T\"\n", "crm.url is required"},
      {"[crm]\nurl = \"https://a/\"\nauth = \"bearer\"\n", "crm.token_env is required"},
  };
  test::expect_refused(cases);
}

}  // namespace
}  // namespace crmr
