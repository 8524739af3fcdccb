// The fixtures of the `run` end-to-end tests against real servers: a fresh
// mail user, database and temp folder per test with the mailbox test cache
// loaded, and helpers to write the config, run crm-router in-process and read
// its JSON report. DovecotRunTest: one real Dovecot per test suite (skipped
// when dovecot is not installed).
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "storage/store.h"
#include "tests/cli/cli_harness.h"
#include "tests/cli/dovecot_fixture.h"
#include "tests/cli/test_mail_server.h"

namespace crmr::test {

// What every `run` end-to-end test needs, whatever the server: a fresh mail
// user, database and temp folder per test (set_up_user()), the mailbox test
// cache loaded, and helpers to write the config, run crm-router in-process
// and read its JSON report. A subclass names the server (mail_server()).
class MailRunFixture : public ::testing::Test {
 protected:
  virtual TestMailServer* mail_server() const = 0;

  void set_up_user() {
    static int n = 0;
    user_ = "u" + std::to_string(::getpid()) + "x" + std::to_string(++n);
    mail_server()->add_user(user_, "right-password");
    ::setenv("CRMR_TEST_PW", "right-password", 1);
    ::setenv("CRMR_TEST_BAD_PW", "wrong-password", 1);
    db_ = t_.file("state.db");
    auto r = run_cli({"--db", db_, "cache", "import",
                      std::string(CRMR_TEST_DATA_DIR) + "/mailbox/cache.jsonl"});
    ASSERT_EQ(r.code, 0) << r.err;
  }

  // A [[mailbox]] block for this test's user; `extra` lines are appended.
  std::string mailbox(const std::string& name, const std::string& url, const std::string& extra,
                      const std::string& pw_env = "CRMR_TEST_PW") const {
    return "[[mailbox]]\nname = \"" + name + "\"\nurl = \"" + url + "\"\nuser = \"" +
           mail_server()->login(user_) + "\"\npassword_env = \"" + pw_env +
           "\"\ntls_ca_file = \"" + mail_server()->ca_file() + "\"\n" + extra + "\n";
  }
  std::string config(const std::string& mailboxes) {
    return t_.write("c.toml", "db = \"" + db_ + "\"\n" + mailboxes);
  }
  CliResult run(const std::string& cfg, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--config", cfg, "--report", t_.file("r.json")};
    args.insert(args.end(), extra.begin(), extra.end());
    if (std::find(extra.begin(), extra.end(), "check") == extra.end()) args.push_back("run");
    return run_cli(args);
  }
  nlohmann::json report() { return nlohmann::json::parse(read_file(t_.file("r.json"))); }
  std::vector<std::string> outcomes() {
    std::vector<std::string> out;
    const nlohmann::json r = report();
    for (const auto& m : r["messages"]) out.push_back(m["outcome"]);
    return out;
  }
  std::int64_t stat(const char* what) {
    auto s = Store::open(db_, OpenMode::ReadOnly);
    return s ? (*(*s)->cache_stats())[what] : -1;
  }
  int count_flag(const std::map<std::string, std::string>& f, char flag) {
    int n = 0;
    for (const auto& [name, flags] : f) n += flags.find(flag) != std::string::npos;
    return n;
  }

  TempDir t_;
  std::string user_;
  std::string db_;
};

// The fixture of the Dovecot `run` tests: one Dovecot per test suite.
class DovecotRunTest : public MailRunFixture {
 protected:
  static void SetUpTestSuite() {
    server_ = new Dovecot;
    if (!server_->start()) {
      delete server_;
      server_ = nullptr;
    }
  }
  static void TearDownTestSuite() {
    if (server_) server_->stop();
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    if (!server_) GTEST_SKIP() << "dovecot is not installed";
    set_up_user();
  }
  TestMailServer* mail_server() const override { return server_; }

  inline static Dovecot* server_ = nullptr;
};

}  // namespace crmr::test
