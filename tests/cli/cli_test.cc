// The command line as a user meets it: usage and config errors, exit codes,
// --version, cache import, report, explain, standard input.
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_harness.h"

namespace crmr::test {
namespace {

TEST(Cli, VersionPrintsNameAndVersion) {
  auto r = run_cli({"--version"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("crm-router "), std::string::npos);
}

TEST(Cli, UnknownCommandIsUsageError) {
  auto r = run_cli({"frobnicate"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--help"), std::string::npos);
}

TEST(Cli, BadDateIsUsageError) {
  TempDir t;
  auto r = run_cli({"--db", t.file("s.db"), "import", "--since", "yesterday", t.file("x")});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("not a date"), std::string::npos);
}

TEST(Config, ReportsEveryProblemWithFileAndLine) {
  TempDir t;
  auto cfg = t.write("c.toml",
                     "db = 5\n"                      // line 1: wrong type
                     "colour = \"blue\"\n"           // line 2: unknown key
                     "[routing]\n"
                     "smart_matching = \"maybe\"\n"  // line 4: bad value
                     "create_unknown_sender = \"account\"\n"  // line 5: not contact or lead
                     "[limits]\n"
                     "max_depth = -3\n");            // line 7: negative
  auto r = run_cli({"--config", cfg, "cache", "stats"});
  EXPECT_EQ(r.code, 3);
  for (const char* want : {"c.toml:1:", "c.toml:2: unknown key colour", "c.toml:4:",
                           "c.toml:5: routing.create_unknown_sender must be", "c.toml:7:"})
    EXPECT_NE(r.err.find(want), std::string::npos) << want << "\n" << r.err;
}

TEST(Config, SyntaxErrorNamesLine) {
  TempDir t;
  auto cfg = t.write("c.toml", "db = \"a\"\n[routing\n");
  auto r = run_cli({"--config", cfg, "cache", "stats"});
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("c.toml:2:"), std::string::npos) << r.err;
}

TEST(Config, MissingExplicitFileIsConfigError) {
  auto r = run_cli({"--config", "/nonexistent/crm-router.toml", "cache", "stats"});
  EXPECT_EQ(r.code, 3);
}

TEST(Config, ValuesAreUsed) {
  TempDir t;
  auto cfg = t.write("c.toml", "db = \"" + t.file("from-config.db") + "\"\n");
  auto r = run_cli({"--config", cfg, "cache", "import", source_path("demo/cache.jsonl")});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(t.file("from-config.db")));
}

TEST(CacheImport, ReportsBadLinesAndImportsTheRest) {
  TempDir t;
  auto f = t.write("c.jsonl",
                   "{\"entity\":\"contact\",\"contactid\":\"c1\",\"fullname\":\"A\","
                   "\"emailaddress1\":\"a@x.example\",\"statecode\":0}\n"
                   "{not json\n"
                   "{\"entity\":\"contact\",\"contactid\":\"c2\",\"fullname\":\"B\","
                   "\"emailaddress1\":\"b@x.example\",\"statecode\":0}\n");
  auto r = run_cli({"--db", t.file("s.db"), "cache", "import", f});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("c.jsonl:2"), std::string::npos) << r.err;
  auto s = run_cli({"--db", t.file("s.db"), "cache", "stats"});
  EXPECT_EQ(s.code, 0);
  EXPECT_NE(s.out.find("contact: 2"), std::string::npos) << s.out;
}

TEST(CacheImport, CsvNeedsEntity) {
  TempDir t;
  auto f = t.write("c.csv", "contactid,fullname,emailaddress1,statecode\nc1,A,a@x.example,0\n");
  auto bad = run_cli({"--db", t.file("s.db"), "cache", "import", f});
  EXPECT_NE(bad.code, 0);
  auto ok = run_cli({"--db", t.file("s.db"), "cache", "import", "--entity", "contact", f});
  EXPECT_EQ(ok.code, 0) << ok.err;
}

TEST(Storage, NotADatabaseIsAClearError) {
  TempDir t;
  auto db = t.write("junk.db", std::string(4096, 'x'));
  auto r = run_cli({"--db", db, "cache", "stats"});
  EXPECT_EQ(r.code, 6);
  EXPECT_NE(r.err.find("junk.db"), std::string::npos) << r.err;
}

TEST(Explain, PrintsEveryStepAndTheOutcome) {
  TempDir t;
  ASSERT_EQ(run_cli({"--db", t.file("s.db"), "cache", "import", source_path("demo/cache.jsonl")}).code, 0);
  auto msg = t.write("m.eml",
                     "From: Stranger <nobody@nowhere.example>\r\n"
                     "To: someone@elsewhere.example\r\n"
                     "Subject: hello\r\n"
                     "Message-ID: <explain-1@nowhere.example>\r\n"
                     "Date: Mon, 4 May 2026 10:00:00 +0000\r\n\r\nbody\r\n");
  auto before = read_file(t.file("s.db"));
  auto r = run_cli({"--db", t.file("s.db"), "explain", msg});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("Message-ID: explain-1@nowhere.example"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("=> tossed (NoRecipientMatch)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("duplicate"), std::string::npos) << r.out;  // the step is listed
  EXPECT_EQ(before, read_file(t.file("s.db")));
}

TEST(Import, StandardInputViaTheBinary) {
  TempDir t;
  ASSERT_EQ(run_cli({"--db", t.file("s.db"), "cache", "import", source_path("demo/cache.jsonl")}).code, 0);
  std::string cmd = std::string(CRMR_BINARY) + " --db " + t.file("s.db") +
                    " --report " + t.file("r.json") + " import - < " +
                    source_path("demo/demo.mbox") + " > " + t.file("out.txt") + " 2>&1";
  int rc = std::system(cmd.c_str());
  ASSERT_NE(rc, -1);
  auto report = nlohmann::json::parse(read_file(t.file("r.json")));
  EXPECT_GT(report["run"]["messages"].get<int>(), 20);
  EXPECT_EQ(report["messages"][0]["source"], "-");
}

TEST(Report, ReprintsTheLatestRunInEveryFormat) {
  TempDir t;
  const std::string db = t.file("s.db");
  ASSERT_EQ(run_cli({"--db", db, "cache", "import", source_path("demo/cache.jsonl")}).code, 0);
  auto imp = run_cli({"--db", db, "import", source_path("demo/demo.mbox")});
  ASSERT_TRUE(imp.code == 0 || imp.code == 1) << imp.err;
  auto list = run_cli({"--db", db, "report", "--list"});
  EXPECT_EQ(list.code, 0);
  EXPECT_NE(list.out.find("import"), std::string::npos);
  auto js = run_cli({"--db", db, "report", "--format", "json"});
  ASSERT_EQ(js.code, 0) << js.err;
  auto j = nlohmann::json::parse(js.out);
  EXPECT_EQ(j["run"]["command"], "import");
  EXPECT_GT(j["messages"].size(), 20u);
  auto csv = run_cli({"--db", db, "report", "--format", "csv"});
  EXPECT_EQ(csv.out.rfind("source,position,message_id", 0), 0u) << csv.out.substr(0, 200);
  EXPECT_EQ(run_cli({"--db", db, "report", "-o", t.file("r.html")}).code, 0);
  EXPECT_NE(read_file(t.file("r.html")).find("<html"), std::string::npos);
}

// With -q the messages that need attention still reach the terminal, and the
// log names each of them once (when it was decided), not again at the end.
TEST(Quiet, ProblemsShownOnStderrAndLoggedOnce) {
  TempDir t;
  const std::string db = t.file("s.db");
  ASSERT_EQ(run_cli({"--db", db, "cache", "import", source_path("demo/cache.jsonl")}).code, 0);
  auto r = run_cli({"--db", db, "--log-file", t.file("log.txt"), "-q", "import",
                    source_path("demo/demo.mbox")});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_EQ(r.out, "");
  const std::string quarantined = "demo.mbox #32";
  EXPECT_NE(r.err.find(quarantined), std::string::npos) << r.err;
  const std::string log = read_file(t.file("log.txt"));
  std::size_t times = 0;
  for (auto at = log.find(quarantined); at != std::string::npos; at = log.find(quarantined, at + 1))
    ++times;
  EXPECT_EQ(times, 1u) << log;
}

}  // namespace
}  // namespace crmr::test

namespace crmr::test {
namespace {

// Progress is drawn on a terminal only: run the binary under a pseudo-terminal
// (util-linux `script`) and without one.
TEST(Progress, DrawnOnATerminalAndNowhereElse) {
  std::string mbox = std::string(CRMR_CORPUS_DIR) +
                     "/spamassassin-public/easy-ham-mailing-lists.mboxrd";
  if (!std::filesystem::exists(mbox) || std::system("command -v script >/dev/null") != 0)
    GTEST_SKIP() << "needs the corpus and util-linux script";
  TempDir t;
  ASSERT_EQ(run_cli({"--db", t.file("s.db"), "cache", "import", source_path("demo/cache.jsonl")}).code, 0);
  // The bar is first drawn after a short delay; eight passes over the
  // 3,900-message mbox (about a second and more) outlast it on any machine.
  const std::string thrice = std::string(CRMR_BINARY) + " --db " + t.file("s.db") +
                             " --dry-run import " + mbox + " " + mbox + " " + mbox;
  std::string cmd = thrice;
  for (int i = 3; i < 8; ++i) cmd += " " + mbox;
  std::system(("script -qec '" + cmd + "' " + t.file("tty.txt") + " >/dev/null 2>&1").c_str());
  std::string tty = read_file(t.file("tty.txt"));
  EXPECT_NE(tty.find("ETA"), std::string::npos) << tty.substr(0, 500);
  EXPECT_NE(tty.find("msg/s"), std::string::npos);
  // Not on a terminal nothing is drawn at any point: three passes (past the
  // 200 ms between two draws) show it as well as eight, in less time.
  cmd = thrice;
  std::system((cmd + " > " + t.file("out.txt") + " 2> " + t.file("err.txt")).c_str());
  EXPECT_EQ(read_file(t.file("err.txt")), "");
  EXPECT_EQ(read_file(t.file("out.txt")).find("ETA"), std::string::npos);
  std::system((cmd + " -q > " + t.file("q.txt") + " 2>&1").c_str());
  EXPECT_EQ(read_file(t.file("q.txt")), "");
}

}  // namespace
}  // namespace crmr::test
