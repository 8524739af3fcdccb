// Reports people read, as an administrator gets them: the text report and
// `quarantine list` with a header row and the position; the HTML page with
// the run id, a breakdown by reason and (with [crm] url set) where the CRM's
// records open. The page's layout and links in a browser are checked by
// tests/html/report_browser_test.py.
#include <gtest/gtest.h>

#include "cli/exit_codes.h"
#include "tests/cli/cli_harness.h"

namespace crmr::test {
namespace {

bool has(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

// The demo imported (nothing pushed: --no-push) with [crm] url set.
struct DemoImported {
  TempDir dir;
  std::string db = dir.file("state.db");
  std::string config = dir.write(
      "crm-router.toml", "db = \"" + db + "\"\nprogress = false\n[crm]\n"
                         "url = \"https://contoso.crm4.dynamics.com/api/data/v9.2/\"\n"
                         "tenant = \"contoso.onmicrosoft.com\"\nclient_id = \"cid\"\n"
                         "client_secret_env = \"CRMR_UNSET_SECRET\"\n");
  CliResult imported;

  DemoImported() {
    EXPECT_EQ(cli({"cache", "import", source_path("demo/cache.jsonl")}).code, kExitOk);
    imported = cli({"--report", dir.file("r.html"), "import", "--no-push",
                    source_path("demo/demo.mbox")});
    EXPECT_EQ(imported.code, kExitPartial) << imported.out << imported.err;
  }
  CliResult cli(std::vector<std::string> args) {
    args.insert(args.begin(), {"--config", config});
    return run_cli(args);
  }
};

TEST(ReportColumns, TextReportHasAHeaderRowAndThePosition) {
  DemoImported d;
  auto r = d.cli({"report"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(r.out.rfind("POSITION     OUTCOME     REASON                 CORRELATION        FROM"
                        "                             SUBJECT\n", 0),
            0u)
      << r.out;
  EXPECT_TRUE(has(r.out, "\n#1           queued      CorrelationMatch")) << r.out;
  EXPECT_TRUE(has(r.out, "\n#35          ")) << r.out;
  // -v on the terminal: the same header before the first line.
  auto v = d.cli({"-v", "--dry-run", "import", source_path("demo/demo.mbox")});
  EXPECT_TRUE(has(v.out, "POSITION     OUTCOME")) << v.out;
  EXPECT_LT(v.out.find("POSITION"), v.out.find("#1 ")) << v.out;
}

TEST(ReportColumns, QuarantineListHasAHeaderRowAndThePosition) {
  DemoImported d;
  auto l = d.cli({"quarantine", "list"});
  ASSERT_EQ(l.code, kExitOk) << l.err;
  const auto first_line = l.out.substr(0, l.out.find('\n'));
  EXPECT_TRUE(first_line.starts_with("ID  WHEN ")) << l.out;
  for (const char* col : {"  SOURCE ", "  POSITION", "  MESSAGE ", "  ERROR"})
    EXPECT_TRUE(has(first_line, col)) << col << "\n" << l.out;
  // Source and position each in their column, under their header.
  const auto row = l.out.substr(first_line.size() + 1);
  const std::string mbox = source_path("demo/demo.mbox");
  EXPECT_EQ(row.find(mbox), first_line.find("SOURCE")) << l.out;
  EXPECT_EQ(row.find("#32"), first_line.find("POSITION")) << l.out;
}

TEST(ReportColumns, HtmlPageHasRunIdReasonsAndTheCrmsAddress) {
  DemoImported d;
  const std::string page = read_file(d.dir.file("r.html"));
  ASSERT_FALSE(page.empty());
  // The run id, as `report --run ID` takes it.
  EXPECT_TRUE(has(page, "<dt>Run</dt><dd>1</dd>")) << page.substr(0, 2000);
  // The breakdown by reason: the demo's 11 tossed are NoRecipientMatch and others.
  EXPECT_TRUE(has(page, "<h2>By reason</h2>"));
  EXPECT_TRUE(has(page, "data-reason=\"ParseError\""));
  EXPECT_TRUE(has(page, "data-reason=\"Duplicate\""));
  // Records open on the CRM's host, not under its API path.
  EXPECT_TRUE(has(page, "\"crm_url\":\"https://contoso.crm4.dynamics.com/\"")) << page;
  EXPECT_FALSE(has(page, "api/data"));
  // The same from the history, for an earlier run.
  auto h = d.cli({"report", "--run", "1", "--format", "html"});
  EXPECT_TRUE(has(h.out, "<dt>Run</dt><dd>1</dd>"));
  EXPECT_TRUE(has(h.out, "\"crm_url\":\"https://contoso.crm4.dynamics.com/\""));
}

}  // namespace
}  // namespace crmr::test
