// The [crm] section of the configuration file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "cli/config/config.h"

namespace crmr {
namespace {

Result<Config> load(const std::string& text) {
  auto path = std::filesystem::temp_directory_path() /
              ("crmr-crm-config-" + std::to_string(std::random_device{}()) + ".toml");
  std::ofstream(path) << text;
  auto cfg = load_config(path.string(), true);
  std::filesystem::remove(path);
  return cfg;
}

TEST(CrmConfig, ClientCredentialsWithDefaults) {
  auto cfg = load(R"([crm]
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

TEST(CrmConfig, BearerAndEveryKey) {
  auto cfg = load(R"([crm]
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

struct BadCase {
  const char* toml;
  const char* expect;  // in the error, with its line
};

TEST(CrmConfig, ProblemsNameFileLine) {
  const std::vector<BadCase> cases = {
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
       "give exactly one of client_secret_env and client_secret_file"},
      {"[crm]\nurl = \"https://a/\"\nclient_id = \"x\"\nclient_secret_env = \"S\"\n", "crm.tenant is required"},
      {"[crm]\nauth = \"bearer\"\ntoken_env = \"T\"\n", "crm.url is required"},
      {"[crm]\nurl = \"https://a/\"\nauth = \"bearer\"\n", "crm.token_env is required"},
  };
  for (const auto& c : cases) {
    auto cfg = load(c.toml);
    ASSERT_FALSE(cfg) << c.toml;
    EXPECT_NE(cfg.error().message.find(c.expect), std::string::npos)
        << cfg.error().message << "\n--- expected: " << c.expect;
    EXPECT_EQ(cfg.error().message.find("hunter2"), std::string::npos);
  }
}

}  // namespace
}  // namespace crmr
