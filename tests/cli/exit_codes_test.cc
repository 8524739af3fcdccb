// Predictable paths, files and exit codes, as an administrator meets them:
// one test per exit code of the table in README.md and crm-router(1);
// relative paths in the config file are taken from the file's folder;
// read-only commands on a database that does not exist say so; what
// crm-router creates is readable by its owner only.
#include <gtest/gtest.h>

#include <filesystem>

#include "cli/exit_codes.h"
#include "cli/platform.h"
#include "tests/cli/admin_harness.h"

namespace crmr::test {
namespace {

namespace fs = std::filesystem;

// One mbox entry without a header: quarantined when imported.
constexpr char kUnparseableMbox[] = "From a@b Mon Jan  5 10:00:00 2026\nbody only, no header\n\n";

class ExitCode : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = t_.file("state.db");
    ASSERT_EQ(admin_run({"--db", db_, "cache", "import", source_path("demo/cache.jsonl")}).code, 0);
  }
  AdminRun crm(const std::vector<std::string>& args,
               const std::map<std::string, std::optional<std::string>>& env = {}) {
    std::vector<std::string> all = {"--db", db_};
    all.insert(all.end(), args.begin(), args.end());
    return admin_run(all, {}, env);
  }
  TempDir t_;
  std::string db_;
};

TEST_F(ExitCode, Ok0) {
  auto r = crm({"import", t_.write("m.eml", demo_reply("code-0"))});
  EXPECT_EQ(r.code, 0) << r.output;
}

TEST_F(ExitCode, Partial1WhenAMessageIsQuarantined) {
  auto r = crm({"import", t_.write("q.mbox", kUnparseableMbox)});
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("quarantined"), std::string::npos) << r.output;
}

TEST_F(ExitCode, Partial1WhenCacheLinesAreBad) {
  auto r = crm({"cache", "import", t_.write("bad.jsonl", "{\"entity\":\"contact\"}\n")});
  EXPECT_EQ(r.code, 1) << r.output;
}

TEST_F(ExitCode, Usage2) {
  EXPECT_EQ(crm({"frobnicate"}).code, 2);
  // A run that does not exist is a usage error, like an unknown quarantine id.
  ASSERT_EQ(crm({"import", t_.write("m.eml", demo_reply("code-2"))}).code, 0);
  auto r = crm({"report", "--run", "99"});
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("no run 99"), std::string::npos) << r.output;
  // A CSV file without --entity: the command line lacks something.
  auto csv = crm({"cache", "import", t_.write("c.csv", "contactid,fullname\nc1,A\n")});
  EXPECT_EQ(csv.code, 2) << csv.output;
  EXPECT_NE(csv.output.find("--entity"), std::string::npos) << csv.output;
}

TEST_F(ExitCode, Config3ForTheFileAndForEverySecretItNames) {
  auto bad = t_.write("bad.toml", "colour = \"blue\"\n");
  EXPECT_EQ(admin_run({"--config", bad, "cache", "stats"}).code, 3);

  // The CRM's secret, not set (import pushes what it queued): 3.
  auto crm_cfg = t_.write("crm.toml",
                          "db = \"" + db_ + "\"\n[crm]\nurl = \"http://127.0.0.1:1/api/data/v9.2/\"\n"
                          "tenant = \"t\"\nclient_id = \"c\"\nclient_secret_env = \"CRMR_NO_SUCH_SECRET\"\n");
  auto push = admin_run({"--config", crm_cfg, "import", t_.write("m.eml", demo_reply("code-3"))}, {},
                        {{"CRMR_NO_SUCH_SECRET", std::nullopt}});
  EXPECT_EQ(push.code, 3) << push.output;
  EXPECT_NE(push.output.find("CRMR_NO_SUCH_SECRET"), std::string::npos) << push.output;

  // A mailbox's secret, not set: 3 as well (it was 4, as if the server failed).
  auto mb_cfg = t_.write("mb.toml",
                         "db = \"" + db_ + "\"\n[[mailbox]]\nname = \"sales\"\n"
                         "url = \"imap://127.0.0.1:1\"\nuser = \"sales\"\n"
                         "password_env = \"CRMR_NO_SUCH_SECRET\"\nall = true\n");
  fs::permissions(mb_cfg, fs::perms::owner_read | fs::perms::owner_write);
  auto run = admin_run({"--config", mb_cfg, "run"}, {}, {{"CRMR_NO_SUCH_SECRET", std::nullopt}});
  EXPECT_EQ(run.code, 3) << run.output;
  EXPECT_NE(run.output.find("CRMR_NO_SUCH_SECRET is not set"), std::string::npos) << run.output;
  auto check = admin_run({"--config", mb_cfg, "check"}, {}, {{"CRMR_NO_SUCH_SECRET", std::nullopt}});
  EXPECT_EQ(check.code, 3) << check.output;
}

TEST_F(ExitCode, Unreachable4) {
  // Nothing listens on port 1 of the loopback.
  auto cfg = t_.write("mb.toml",
                      "db = \"" + db_ + "\"\n[[mailbox]]\nname = \"sales\"\n"
                      "url = \"imap://127.0.0.1:1\"\nuser = \"sales\"\n"
                      "password_env = \"CRMR_TEST_SECRET\"\nall = true\ntimeout_s = 5\n");
  fs::permissions(cfg, fs::perms::owner_read | fs::perms::owner_write);
  auto r = admin_run({"--config", cfg, "run"}, {}, {{"CRMR_TEST_SECRET", "pw"}});
  EXPECT_EQ(r.code, 4) << r.output;
}

TEST_F(ExitCode, Busy5) {
  auto held = platform::try_lock_file(db_ + ".lock");
  ASSERT_EQ(held.kind, platform::LockAttempt::Acquired);
  auto r = crm({"import", t_.write("m.eml", demo_reply("code-5"))});
  EXPECT_EQ(r.code, 5) << r.output;
  EXPECT_NE(r.output.find("retry later"), std::string::npos) << r.output;
}

TEST_F(ExitCode, Storage6ForADatabaseThatCannotBeUsed) {
  auto junk = t_.write("junk.db", std::string(4096, 'x'));
  EXPECT_EQ(admin_run({"--db", junk, "cache", "stats"}).code, 6);
}

// Commands that only read the database say it does not exist, instead of
// answering from an empty one.
TEST(ReadOnlyCommands, SayTheDatabaseDoesNotExist) {
  TempDir t;
  const std::string db = t.file("missing.db");
  for (std::vector<std::string> args : {std::vector<std::string>{"cache", "stats"},
                                        {"report"}, {"report", "--list"},
                                        {"quarantine", "list"},
                                        {"quarantine", "export", "--all", "--to", t.file("q")},
                                        {"explain", t.write("m.eml", demo_reply("no-db"))}}) {
    args.insert(args.begin(), {"--db", db});
    auto r = admin_run(args);
    EXPECT_EQ(r.code, 6) << args[2] << ": " << r.output;
    EXPECT_NE(r.output.find(db + ": the database does not exist"), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(db));
  }
}

TEST_F(ExitCode, Input7ForAnInputThatCannotBeRead) {
  auto r = crm({"import", t_.file("no-such.mbox")});
  EXPECT_EQ(r.code, 7) << r.output;
  EXPECT_NE(r.output.find("no-such.mbox"), std::string::npos) << r.output;
  EXPECT_EQ(crm({"explain", t_.file("no-such.eml")}).code, 7);
  EXPECT_EQ(crm({"cache", "import", t_.file("no-such.jsonl")}).code, 7);
}

TEST(ExitCodeTable, CacheCannotDecide8) {
  TempDir t;
  auto r = admin_run({"--db", t.file("state.db"), "import", t.write("m.eml", demo_reply("code-8"))});
  EXPECT_EQ(r.code, 8) << r.output;
}

// db, log_file, report and secret files named relatively in the config file
// are found next to it, wherever crm-router is started from (cron: $HOME,
// systemd: /).
TEST(ConfigPaths, RelativePathsAreTakenFromTheConfigFilesFolder) {
  TempDir etc, elsewhere;
  fs::create_directories(etc.file("data"));
  auto cfg = etc.write("crm-router.toml",
                       "db = \"data/state.db\"\nlog_file = \"data/router.log\"\n"
                       "report = \"data/last.json\"\nlog_level = \"info\"\n");
  auto c = admin_run({"--config", cfg, "cache", "import", source_path("demo/cache.jsonl")},
                     elsewhere.file(""));
  ASSERT_EQ(c.code, 0) << c.output;
  auto r = admin_run({"--config", cfg, "import", etc.write("m.eml", demo_reply("paths-1"))},
                     elsewhere.file(""));
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(fs::exists(etc.file("data/state.db")));
  EXPECT_TRUE(fs::exists(etc.file("data/router.log")));
  EXPECT_TRUE(fs::exists(etc.file("data/last.json")));
  EXPECT_FALSE(fs::exists(elsewhere.file("data")));
  // A path on the command line stays relative to the working directory.
  auto s = admin_run({"--config", cfg, "--db", "cli.db", "cache", "stats"}, elsewhere.file(""));
  EXPECT_EQ(s.code, 6) << s.output;  // elsewhere/cli.db does not exist
}

// The database (and its journal and lock files), the log, the report and
// exported messages are for the owner only, whatever the umask.
TEST(FileModes, WhatCrmRouterCreatesIsPrivate) {
  TempDir t;
  const std::string db = t.file("state.db");
  ASSERT_EQ(admin_run({"--db", db, "cache", "import", source_path("demo/cache.jsonl")}).code, 0);
  auto r = admin_run({"--db", db, "--log-file", t.file("router.log"), "--report", t.file("r.html"),
                      "import", t.write("q.mbox", kUnparseableMbox)});
  EXPECT_EQ(r.code, 1) << r.output;  // quarantined: something to export
  auto e = admin_run({"--db", db, "quarantine", "export", "--all", "--to", t.file("out/q")});
  ASSERT_EQ(e.code, 0) << e.output;
  const auto others = fs::perms::group_all | fs::perms::others_all;
  for (const std::string& f : {db, db + ".lock", t.file("router.log"), t.file("r.html"),
                              t.file("out"), t.file("out/q"), t.file("out/q/1.eml")}) {
    ASSERT_TRUE(fs::exists(f)) << f;
    EXPECT_EQ(fs::status(f).permissions() & others, fs::perms::none) << f;
  }
  EXPECT_EQ(fs::status(t.file("out/q")).permissions() & fs::perms::owner_all, fs::perms::owner_all);
}

// exit_code_for, the one place an Error becomes an exit code: the code's exit
// code where the table gives one, else the Error's scope.
TEST(ExitCodeFor, TheTableThenTheScope) {
  auto rc = [](Code code, Scope scope) { return exit_code_for(Error{code, "m", "", scope, Retry::Never}); };
  EXPECT_EQ(rc(Code::ConfigInvalid, Scope::Run), kExitConfig);
  EXPECT_EQ(rc(Code::ConfigFirstRun, Scope::Mailbox), kExitConfig);
  EXPECT_EQ(rc(Code::CrmSecret, Scope::Run), kExitConfig);
  EXPECT_EQ(rc(Code::MailboxSecret, Scope::Mailbox), kExitConfig);
  EXPECT_EQ(rc(Code::StoreNotFound, Scope::Run), kExitUsage);
  EXPECT_EQ(rc(Code::ImportUnknownEntity, Scope::Run), kExitUsage);
  EXPECT_EQ(rc(Code::ImportCannotRead, Scope::Run), kExitInput);
  EXPECT_EQ(rc(Code::CrmBadResponse, Scope::Message), kExitUnreachable);
  EXPECT_EQ(rc(Code::StoreBusy, Scope::Run), kExitStorage);
  EXPECT_EQ(rc(Code::MailboxConnect, Scope::Mailbox), kExitUnreachable);
  EXPECT_EQ(rc(Code::MailboxAuth, Scope::Account), kExitUnreachable);
  EXPECT_EQ(rc(Code::ParseEmpty, Scope::Message), kExitPartial);
}

}  // namespace
}  // namespace crmr::test
