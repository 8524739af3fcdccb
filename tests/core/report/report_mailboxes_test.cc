// The run's mailbox list (RunHeader::mailboxes, written for `run`): in the
// JSON "run" object (keys in order, error null when empty, read back by
// read_json), after the totals in the text summary, as a table in the HTML
// page (escaped), and not in the CSV, which stays one row per message. A
// report without mailboxes (import, push) has none of it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/report/report.h"
#include "tests/core/report/report_fixture.h"
#include "tests/support/result_matchers.h"
#include "tests/support/temp_dir.h"

namespace crmr {
namespace {

using nlohmann::ordered_json;

MailboxStatus status(std::string name, std::string st, std::string error, std::uint64_t messages,
                     std::uint64_t bytes, bool limit = false) {
  MailboxStatus m;
  m.name = std::move(name);
  m.status = std::move(st);
  m.error = std::move(error);
  m.messages = messages;
  m.bytes = bytes;
  m.limit_reached = limit;
  return m;
}

RunReport run_with_mailboxes() {
  RunReport r = test::sample_report();
  r.command = "run";
  r.mailboxes = {status("sales", "failed", "mailbox sales: login failed <AUTHENTICATIONFAILED>", 0, 0),
                 status("support", "ok", "", 3, 4096, true),
                 status("archive", "skipped", "", 0, 0)};
  return r;
}

std::vector<std::string> keys_of(const ordered_json& j) {
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  return keys;
}

TEST(ReportMailboxes, JsonRunListsEachMailboxWithItsStatusAndError) {
  std::ostringstream s;
  write_json(run_with_mailboxes(), s);
  const auto run = ordered_json::parse(s.str())["run"];
  EXPECT_EQ(keys_of(run).back(), "mailboxes");  // after "totals"
  ASSERT_EQ(run["mailboxes"].size(), 3u);
  const auto& sales = run["mailboxes"][0];
  EXPECT_EQ(keys_of(sales), (std::vector<std::string>{"name", "status", "messages", "bytes",
                                                      "limit_reached", "error", "skipped_by_date",
                                                      "warnings"}));
  EXPECT_EQ(sales["skipped_by_date"], 0);
  EXPECT_TRUE(sales["warnings"].empty());
  EXPECT_EQ(sales["name"], "sales");
  EXPECT_EQ(sales["status"], "failed");
  EXPECT_EQ(sales["error"], "mailbox sales: login failed <AUTHENTICATIONFAILED>");
  const auto& support = run["mailboxes"][1];
  EXPECT_EQ(support["status"], "ok");
  EXPECT_EQ(support["messages"], 3);
  EXPECT_EQ(support["bytes"], 4096);
  EXPECT_EQ(support["limit_reached"], true);
  EXPECT_TRUE(support["error"].is_null());
  EXPECT_EQ(run["mailboxes"][2]["status"], "skipped");
}

TEST(ReportMailboxes, ReadJsonReadsThemBackAndAcceptsAReportWithout) {
  std::ostringstream s;
  const RunReport original = run_with_mailboxes();
  write_json(original, s);
  auto back = read_json(s.str());
  ASSERT_OK(back);
  ASSERT_EQ(back->mailboxes.size(), 3u);
  EXPECT_EQ(back->mailboxes[0].error, original.mailboxes[0].error);
  EXPECT_EQ(back->mailboxes[1].bytes, 4096u);
  EXPECT_TRUE(back->mailboxes[1].limit_reached);
  EXPECT_EQ(back->header().mailboxes.size(), 3u);
  EXPECT_EQ(run_to_json(back->header()), run_to_json(original.header()));

  std::ostringstream plain;
  write_json(test::sample_report(), plain);  // import: no mailboxes
  EXPECT_FALSE(ordered_json::parse(plain.str())["run"].contains("mailboxes"));
  auto without = read_json(plain.str());
  ASSERT_OK(without);
  EXPECT_TRUE(without->mailboxes.empty());
}

// A mailbox's warnings (a server that disagreed with itself, mail kept
// instead of deleted) and its date skips: in the JSON (read back), the text
// summary (a line per warning) and the HTML table.
TEST(ReportMailboxes, WarningsAndDateSkipsAreInEveryFormat) {
  RunReport r = run_with_mailboxes();
  r.mailboxes[1].skipped_by_date = 195;
  r.mailboxes[1].warnings = {"folder INBOX: the server's UID SEARCH listed 0 UIDs <sic>"};
  std::ostringstream js;
  write_json(r, js);
  auto back = read_json(js.str());
  ASSERT_OK(back);
  EXPECT_EQ(back->mailboxes[1].skipped_by_date, 195u);
  EXPECT_EQ(back->mailboxes[1].warnings, r.mailboxes[1].warnings);
  std::ostringstream text;
  write_text_summary(r, text, false);
  EXPECT_NE(text.str().find(", 195 older than its since (not fetched)"), std::string::npos)
      << text.str();
  EXPECT_NE(text.str().find("\n    warning: folder INBOX: the server's UID SEARCH"),
            std::string::npos)
      << text.str();
  std::ostringstream html;
  write_html(r, html);
  EXPECT_NE(html.str().find("warning: folder INBOX: the server&#39;s UID SEARCH listed 0 UIDs &lt;sic&gt;"),
            std::string::npos);
}

TEST(ReportMailboxes, TextSummaryListsThemAfterTheTotals) {
  std::ostringstream s;
  write_text_summary(run_with_mailboxes(), s, /*verbose=*/false);
  const std::string text = s.str();
  const auto totals_end = text.find('\n');
  EXPECT_EQ(text.find("Mailboxes: 1 ok, 1 failed, 1 skipped\n"), totals_end + 1) << text;
  EXPECT_NE(text.find("  sales: failed, 0 messages, 0 bytes; error: mailbox sales: login failed "
                      "<AUTHENTICATIONFAILED>\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  support: ok, 3 messages, 4,096 bytes, limit reached (the rest waits for "
                      "the next run)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  archive: skipped (the run's --limit was reached before it)\n"),
            std::string::npos)
      << text;

  std::ostringstream plain;
  write_text_summary(test::sample_report(), plain, false);
  EXPECT_EQ(plain.str().find("Mailboxes:"), std::string::npos);
}

TEST(ReportMailboxes, TextLinesAreTerminalSafe) {
  RunHeader h;
  h.mailboxes = {status("evil\x1b[31m", "failed", "bad\nline", 0, 0)};
  std::ostringstream s;
  write_mailbox_lines(h, s);
  EXPECT_EQ(s.str(), "Mailboxes: 1 failed\n  evil [31m: failed, 0 messages, 0 bytes; error: bad line\n");
}

TEST(ReportMailboxes, HtmlPageHasAnEscapedMailboxTable) {
  std::ostringstream s;
  write_html(run_with_mailboxes(), s);
  const std::string page = s.str();
  EXPECT_NE(page.find("<section class=\"mailboxes\""), std::string::npos);
  EXPECT_NE(page.find("<tr class=\"mailbox-failed\"><td>sales</td><td><span class=\"badge "
                      "o-failed\">failed</span></td><td>0</td><td>0</td><td class=\"error\">"
                      "mailbox sales: login failed &lt;AUTHENTICATIONFAILED&gt;</td></tr>"),
            std::string::npos)
      << page;
  EXPECT_NE(page.find("<td>support</td>"), std::string::npos);
  EXPECT_NE(page.find("<td>4,096</td>"), std::string::npos);
  EXPECT_NE(page.find("not read: the run&#39;s --limit was reached before it"), std::string::npos);
  EXPECT_EQ(page.find("<AUTHENTICATIONFAILED>"), std::string::npos);  // nowhere unescaped

  std::ostringstream plain;
  write_html(test::sample_report(), plain);
  EXPECT_EQ(plain.str().find("class=\"mailboxes\""), std::string::npos);
}

TEST(ReportMailboxes, CsvStaysOneRowPerMessage) {
  std::ostringstream with, without;
  write_csv(run_with_mailboxes(), with);
  write_csv(test::sample_report(), without);
  EXPECT_EQ(with.str(), without.str());
}

TEST(ReportMailboxes, StreamedFilesKeepTheMailboxesOfTheHeader) {
  namespace fs = std::filesystem;
  const test::TempDir tmp("report_mailboxes");
  const fs::path& dir = tmp.path();
  const RunReport r = run_with_mailboxes();
  for (const char* ext : {".json", ".txt", ".html"}) {
    const std::string path = (dir / (std::string("r") + ext)).string();
    ASSERT_TRUE(write_report_file(r, path)) << path;
    std::ifstream in(path);
    const std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(body.find("sales"), std::string::npos) << ext;
    EXPECT_NE(body.find("AUTHENTICATIONFAILED"), std::string::npos) << ext;
  }
}

}  // namespace
}  // namespace crmr
