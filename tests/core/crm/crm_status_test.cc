// Failures are visible, and `check` tests the CRM, as an administrator sees
// it: `check` with a good CRM and with a refused or missing secret (the CRM's
// own error text, exit code), errors in the log file as well as on stderr,
// `report --list` with a status and error per run (a push that could not
// start is listed too), `push` with an empty outbox, and `status` with its
// Nagios-style exit codes (0 ok, 1 warning, 2 critical) in text and JSON.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>

#include "cli/exit_codes.h"
#include "tests/cli/cli_harness.h"
#include "tests/core/crm/sim_harness.h"
#include "tests/core/crm/test_certificate.h"

namespace crmr::test {
namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class CrmStatus : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GT(sim_.port(), 0);
    db_ = dir_.file("s.db");
    config_ = dir_.write("crm.toml", "db = \"" + db_ + "\"\n" + sim_.crm_toml());
  }
  void TearDown() override { setenv("CRMR_TEST_SECRET", "sec", 1); }
  CliResult cli(std::vector<std::string> args) {
    args.insert(args.begin(), {"--config", config_, "--no-progress"});
    return run_cli(args);
  }
  // The demo's CRM records in the cache (no sync): a cache that can decide.
  void fill_cache() {
    ASSERT_EQ(cli({"cache", "import", source_path("demo/cache.jsonl")}).code, kExitOk);
  }
  // Accepted demo mail waiting in the outbox (nothing pushed).
  void queue_demo_mail() {
    fill_cache();
    auto r = cli({"import", "--no-push", source_path("demo/demo.mbox")});
    ASSERT_TRUE(r.code == kExitOk || r.code == kExitPartial) << r.out << r.err;
  }

  Sim sim_{{"--seed", source_path("demo/cache.jsonl")}};
  TempDir dir_;
  std::string db_, config_;
};

TEST_F(CrmStatus, CheckGetsATokenReadsWhoAmIAndTheOrganisationAndShowsTheCacheAge) {
  // Before any sync the cache cannot decide (8); the CRM is tested all the same.
  auto before = cli({"check"});
  EXPECT_EQ(before.code, kExitCacheNotReady) << before.out << before.err;
  EXPECT_TRUE(has(before.out, "token obtained from " + sim_.base() + "/t1/oauth2/v2.0/token")) << before.out;
  EXPECT_TRUE(has(before.out, "WhoAmI: user ")) << before.out;
  EXPECT_TRUE(has(before.out, "organization settings: tracking prefix CRM:;TRK:")) << before.out;
  EXPECT_TRUE(has(before.out, "cache: never synced from the CRM")) << before.out;
  ASSERT_EQ(cli({"sync"}).code, kExitOk);
  auto after = cli({"check"});
  EXPECT_EQ(after.code, kExitOk) << after.err;
  EXPECT_TRUE(has(after.out, "cache: last synced ")) << after.out;
}

TEST_F(CrmStatus, CheckShowsTheCrmsOwnErrorWhenTheSecretIsRefused) {
  fill_cache();  // a cache that can decide: the exit code is the CRM's
  setenv("CRMR_TEST_SECRET", "wrong-secret", 1);
  auto r = cli({"check"});
  EXPECT_EQ(r.code, kExitUnreachable) << r.out << r.err;
  EXPECT_TRUE(has(r.err, "invalid_client: AADSTS7000215: Invalid client secret provided")) << r.err;
  EXPECT_FALSE(has(r.out + r.err, "wrong-secret"));
  EXPECT_FALSE(has(r.out, "WhoAmI"));
}

TEST_F(CrmStatus, CheckWithoutTheSecretIsAConfigurationError) {
  unsetenv("CRMR_TEST_SECRET");
  auto r = cli({"check"});
  EXPECT_EQ(r.code, kExitConfig) << r.out << r.err;
  EXPECT_TRUE(has(r.err, "CRMR_TEST_SECRET")) << r.err;
}

// [crm] certificate: the token is asked for with a client assertion signed by
// the certificate the simulator knows as the application's.
TEST(CrmCertificate, CheckGetsATokenWithTheRegisteredCertificate) {
  TempDir dir;
  const TestCertificate app = make_certificate(dir.file("app"));
  if (app.cert.empty()) GTEST_SKIP() << "openssl cannot make certificates";
  const TestCertificate other = make_certificate(dir.file("other"));
  Sim sim({"--client-certificate", app.cert});
  ASSERT_GT(sim.port(), 0);
  std::string toml = sim.crm_toml();
  toml.replace(toml.find("client_secret_env = \"CRMR_TEST_SECRET\""), 38,
               "certificate = \"" + app.cert + "\"\ncertificate_key = \"" + app.key + "\"");
  const std::string db = "db = \"" + dir.file("s.db") + "\"\n";
  // A cache that can decide: the exit code is the CRM's.
  ASSERT_EQ(run_cli({"--config", dir.write("crm.toml", db + toml), "--no-progress", "cache", "import",
                     source_path("demo/cache.jsonl")})
                .code,
            kExitOk);
  auto r = run_cli({"--config", dir.write("crm.toml", db + toml), "--no-progress", "check"});
  EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_TRUE(has(r.out, "token obtained from " + sim.base())) << r.out << r.err;
  EXPECT_TRUE(has(r.out, "WhoAmI: user ")) << r.out;

  toml.replace(toml.find(app.cert), app.cert.size(), other.combined);
  toml.replace(toml.find("certificate_key = \"" + app.key + "\""), 20 + app.key.size(), "");
  auto refused = run_cli({"--config", dir.write("crm.toml", db + toml), "--no-progress", "check"});
  EXPECT_EQ(refused.code, kExitUnreachable) << refused.out << refused.err;
  EXPECT_TRUE(has(refused.err, "invalid_client")) << refused.err;

  toml.replace(toml.find(other.combined), other.combined.size(), dir.file("missing.pem"));
  auto missing = run_cli({"--config", dir.write("crm.toml", db + toml), "--no-progress", "check"});
  EXPECT_EQ(missing.code, kExitConfig) << missing.out << missing.err;
  EXPECT_TRUE(has(missing.err, "[crm] certificate " + dir.file("missing.pem") + " cannot be read"))
      << missing.err;
}

TEST_F(CrmStatus, CheckReportsAFailingWhoAmIWithTheCrmsText) {
  fill_cache();  // a cache that can decide: the exit code is the CRM's
  // The token request is not an API request: fault 1 is WhoAmI.
  ASSERT_EQ(sim_.call("POST", "/_sim/faults", R"({"faults": "403@1"})").status, 200);
  auto r = cli({"check"});
  EXPECT_EQ(r.code, kExitUnreachable) << r.out << r.err;
  EXPECT_TRUE(has(r.out, "token obtained")) << r.out;
  EXPECT_TRUE(has(r.err, "WhoAmI: HTTP 403")) << r.err;
}

TEST_F(CrmStatus, CrmErrorsGoToTheLogFileAsWellAsStderr) {
  const std::string log = dir_.file("crm-router.log");
  const std::string out = dir_.file("out.txt");
  setenv("CRMR_TEST_SECRET", "wrong-secret", 1);
  EXPECT_EQ(run_binary({"--config", config_, "--log-file", log, "sync"}, "", out), kExitUnreachable);
  EXPECT_TRUE(has(read_file(out), "AADSTS7000215")) << read_file(out);
  EXPECT_TRUE(has(read_file(log), "[error]")) << read_file(log);
  EXPECT_TRUE(has(read_file(log), "sync organization: token request to")) << read_file(log);
  EXPECT_TRUE(has(read_file(log), "AADSTS7000215")) << read_file(log);
  unsetenv("CRMR_TEST_SECRET");
  EXPECT_EQ(run_binary({"--config", config_, "--log-file", log, "check"}, "", out), kExitConfig);
  EXPECT_TRUE(has(read_file(log), "CRMR_TEST_SECRET")) << read_file(log);
}

TEST_F(CrmStatus, PushWithAnEmptyOutboxSaysSo) {
  auto r = cli({"push"});
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_TRUE(has(r.out, "push: the outbox is empty: nothing to push")) << r.out;
}

TEST_F(CrmStatus, ReportListShowsEachRunsStatusAndEvenAPushThatCouldNotStart) {
  queue_demo_mail();
  unsetenv("CRMR_TEST_SECRET");
  EXPECT_EQ(cli({"push"}).code, kExitConfig);
  setenv("CRMR_TEST_SECRET", "wrong-secret", 1);
  EXPECT_EQ(cli({"push"}).code, kExitUnreachable);
  auto list = cli({"report", "--list"});
  ASSERT_EQ(list.code, kExitOk) << list.err;
  // Newest first: the refused token, the missing secret, the import.
  std::vector<std::string> lines;
  std::size_t at = 0;
  while (at < list.out.size()) {
    auto nl = list.out.find('\n', at);
    lines.push_back(list.out.substr(at, nl - at));
    at = nl + 1;
  }
  ASSERT_GE(lines.size(), 3u) << list.out;
  EXPECT_TRUE(has(lines[0], "\tpush\tfailed\t")) << lines[0];
  EXPECT_TRUE(has(lines[0], "AADSTS7000215")) << lines[0];
  EXPECT_TRUE(has(lines[1], "\tpush\tfailed\t")) << lines[1];
  EXPECT_TRUE(has(lines[1], "CRMR_TEST_SECRET")) << lines[1];
  EXPECT_TRUE(has(lines[2], "\timport\t")) << lines[2];
}

// The push at the end of an import is part of the import's run: when it
// cannot start (the CRM secret missing) or cannot reach the CRM, that one run
// is failed with why, and the mail stays queued for the next push.
TEST_F(CrmStatus, AnImportWhosePushFailsIsOneFailedRunWithWhy) {
  fill_cache();
  unsetenv("CRMR_TEST_SECRET");
  auto r = cli({"import", source_path("demo/demo.mbox")});
  EXPECT_EQ(r.code, kExitConfig) << r.out << r.err;
  EXPECT_TRUE(has(r.err, "CRMR_TEST_SECRET")) << r.err;
  setenv("CRMR_TEST_SECRET", "wrong-secret", 1);
  auto again = cli({"import", source_path("demo/demo.mbox")});
  EXPECT_EQ(again.code, kExitUnreachable) << again.out << again.err;

  auto list = cli({"report", "--list"});
  ASSERT_EQ(list.code, kExitOk) << list.err;
  std::vector<std::string> lines;
  for (std::size_t at = 0, nl; at < list.out.size(); at = nl + 1) {
    nl = list.out.find('\n', at);
    lines.push_back(list.out.substr(at, nl - at));
  }
  // Newest first; one row per import, no push rows.
  ASSERT_EQ(lines.size(), 2u) << list.out;
  EXPECT_TRUE(has(lines[0], "\timport\tfailed\t")) << lines[0];
  EXPECT_TRUE(has(lines[1], "\timport\tfailed\t")) << lines[1];
  EXPECT_TRUE(has(lines[1], "CRMR_TEST_SECRET")) << lines[1];
  EXPECT_FALSE(has(list.out, "\tpush\t")) << list.out;

  setenv("CRMR_TEST_SECRET", "sec", 1);
  auto p = cli({"push"});
  EXPECT_EQ(p.code, kExitOk) << p.out << p.err;
  EXPECT_TRUE(has(p.out, " pushed")) << p.out;
}

TEST_F(CrmStatus, StatusExitCodesFollowWhatAMonitoringCheckExpects) {
  auto never = cli({"status"});
  EXPECT_EQ(never.code, 2) << never.out;
  EXPECT_TRUE(has(never.out, "CRITICAL: the cache was never synced from the CRM")) << never.out;

  ASSERT_EQ(cli({"sync"}).code, kExitOk);
  auto ok = cli({"status"});
  EXPECT_EQ(ok.code, 0) << ok.out;
  EXPECT_TRUE(has(ok.out, "OK\n")) << ok.out;
  EXPECT_TRUE(has(ok.out, "cache: last synced ")) << ok.out;
  EXPECT_TRUE(has(ok.out, "outbox: 0 queued")) << ok.out;

  auto imp = cli({"import", "--no-push", source_path("demo/demo.mbox")});
  ASSERT_TRUE(imp.code == kExitOk || imp.code == kExitPartial) << imp.err;
  auto waiting = cli({"status", "--json"});
  EXPECT_EQ(waiting.code, 1) << waiting.out;
  auto j = nlohmann::json::parse(waiting.out);
  EXPECT_EQ(j["status"], "warning");
  EXPECT_GT(j["outbox"].get<int>(), 0);
  EXPECT_EQ(j["last_run"]["command"], "import");
  EXPECT_TRUE(j["cache"]["age_s"].is_number());

  setenv("CRMR_TEST_SECRET", "wrong-secret", 1);
  EXPECT_EQ(cli({"push"}).code, kExitUnreachable);
  auto failed = cli({"status"});
  EXPECT_EQ(failed.code, 2) << failed.out;
  EXPECT_TRUE(has(failed.out, ", push) failed: ")) << failed.out;
}

TEST_F(CrmStatus, StatusShowsEachMailboxsLastRunAndItsError) {
  setenv("CRMR_TEST_MAILBOX_PW", "pw", 1);
  const std::string mailbox =
      "[[mailbox]]\nname = \"sales\"\nurl = \"imap://127.0.0.1:1\"\nuser = \"u\"\n"
      "password_env = \"CRMR_TEST_MAILBOX_PW\"\nall = true\n";
  config_ = dir_.write("crm.toml", "db = \"" + db_ + "\"\n" + mailbox + sim_.crm_toml());
  ASSERT_EQ(cli({"sync"}).code, kExitOk);
  auto before = cli({"status"});
  EXPECT_EQ(before.code, 1) << before.out;
  EXPECT_TRUE(has(before.out, "mailbox sales: never read")) << before.out;
  EXPECT_EQ(cli({"run"}).code, kExitUnreachable);
  auto r = cli({"status"});
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_TRUE(has(r.out, "mailbox sales failed in run ")) << r.out;
  EXPECT_TRUE(has(r.out, "mailbox sales: last run ")) << r.out;
  auto list = cli({"report", "--list"});
  EXPECT_TRUE(has(list.out, "\trun\tfailed\t")) << list.out;
  EXPECT_TRUE(has(list.out, "mailbox sales: ")) << list.out;
}

}  // namespace
}  // namespace crmr::test
