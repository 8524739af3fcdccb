// Specification of the CSV, text, HTML and file report writers.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/report/report.h"
#include "core/report/report_internal.h"
#include "tests/core/report/report_fixture.h"
#include "tests/support/result_matchers.h"

namespace crmr {
namespace {

namespace fs = std::filesystem;

template <class Writer>
std::string render(const RunReport& r, Writer w) {
  std::ostringstream s;
  w(r, s);
  return s.str();
}
std::string csv(const RunReport& r) { return render(r, write_csv); }
std::string html(const RunReport& r) { return render(r, write_html); }
std::string text(const RunReport& r, bool verbose) {
  std::ostringstream s;
  write_text_summary(r, s, verbose);
  return s.str();
}

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

// A strict RFC 4180 reader, to check what a spreadsheet or csv module sees.
std::vector<std::vector<std::string>> parse_csv(const std::string& s) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quoted) {
      if (c == '"' && i + 1 < s.size() && s[i + 1] == '"') field += '"', ++i;
      else if (c == '"') quoted = false;
      else field += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().push_back(std::move(field)), field.clear();
    } else if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') {
      rows.back().push_back(std::move(field)), field.clear();
      rows.emplace_back();
      ++i;
    } else {
      field += c;
    }
  }
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

RunReport one_subject(const std::string& subject) {
  RunReport r;
  ReportEntry e = test::failed_entry();
  e.subject = subject;
  r.messages = {e};
  return r;
}

// --- CSV

TEST(CsvReport, StartsWithTheDocumentedHeaderRow) {
  const std::string out = csv(RunReport{});
  EXPECT_EQ(out,
            "source,position,message_id,date,from,subject,outcome,reason,correlation,"
            "regarding_entity,regarding_id,parties,attachments,warnings,error,activity_id,"
            "forwarded_by,queues\r\n");
}

TEST(CsvReport, EveryRowHasEighteenFieldsEvenWithNewlinesInside) {
  const auto rows = parse_csv(csv(test::sample_report()));
  ASSERT_EQ(rows.size(), 4u);
  for (const auto& row : rows) EXPECT_EQ(row.size(), 18u);
}

TEST(CsvReport, QuotesFieldsWithCommaQuoteCrOrLf) {
  const struct {
    const char* subject;
    const char* written;
  } cases[] = {
      {"plain", ",plain,"},
      {"a,b", ",\"a,b\","},
      {"say \"hi\"", ",\"say \"\"hi\"\"\","},
      {"line\nbreak", ",\"line\nbreak\","},
      {"cr\rhere", ",\"cr\rhere\","},
      {"", ",,"},
  };
  for (const auto& c : cases) {
    const std::string out = csv(one_subject(c.subject));
    EXPECT_NE(out.find(c.written), std::string::npos) << c.subject << "\n" << out;
    const auto rows = parse_csv(out);
    ASSERT_EQ(rows.size(), 2u) << c.subject;
    EXPECT_EQ(rows[1][5], c.subject);
  }
}

TEST(CsvReport, NeutralisesSpreadsheetFormulas) {
  const struct {
    const char* subject;
    const char* cell;
  } cases[] = {
      {"=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"},
      {"+1+1", "'+1+1"},
      {"-2+3", "'-2+3"},
      {"@SUM(A1)", "'@SUM(A1)"},
      {"\t=1", "'\t=1"},
      {"a=b", "a=b"},
      {"Re: =x", "Re: =x"},
  };
  for (const auto& c : cases) {
    const auto rows = parse_csv(csv(one_subject(c.subject)));
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[1][5], c.cell) << c.subject;
  }
  const auto rows = parse_csv(csv(test::sample_report()));
  EXPECT_EQ(rows[3][4], "'=cmd|' /C calc'!A0@evil.test") << "from is neutralised too";
}

TEST(CsvReport, WritesPartiesAttachmentsRegardingAndForwardedBy) {
  const auto rows = parse_csv(csv(test::sample_report()));
  const auto& q = rows[1];
  EXPECT_EQ(q[0], "archive/inbox.mbox");
  EXPECT_EQ(q[3], "2026-05-01T10:00:00Z");
  EXPECT_EQ(q[6], "queued");
  EXPECT_EQ(q[9], "opportunity");
  EXPECT_EQ(q[10], "3f2504e0-4f89-11d3-9a0c-0305e82c3301");
  EXPECT_EQ(q[11],
            "from:Jane.Doe@contoso.com=contact/c-1; to:sales@fabrikam.com=queue/q-1; "
            "cc:someone@elsewhere.org");
  EXPECT_EQ(q[12], "offer.pdf (123456, kept); setup.exe (900, left out: blocked extension .exe)");
  EXPECT_EQ(q[13], "bad charset x-unknown, read as windows-1252");
  EXPECT_EQ(q[14], "");
  EXPECT_EQ(q[16], "adele.vance@fabrikam.com");
  const auto& f = rows[2];
  EXPECT_EQ(f[14], "HTTP 503 from Dataverse after 3 tries");
  EXPECT_EQ(f[15], "a-42");
  EXPECT_EQ(f[16], "") << "not unwrapped";
}

TEST(CsvReport, ReplacesInvalidUtf8) {
  const std::string out = csv(test::sample_report());
  EXPECT_EQ(out.find('\xff'), std::string::npos);
  EXPECT_NE(out.find("\xEF\xBF\xBD"), std::string::npos);
}

// --- text summary

RunReport counted(int queued, int duplicate, int tossed, double elapsed) {
  RunReport r;
  r.elapsed_s = elapsed;
  const auto add = [&](int n, const char* outcome) {
    for (int i = 0; i < n; ++i) {
      ReportEntry e;
      e.outcome = outcome;
      r.messages.push_back(e);
    }
  };
  add(queued, "queued");
  add(duplicate, "duplicate");
  add(tossed, "tossed");
  return r;
}

TEST(TextSummary, FirstLineHasCountTimeRateAndEveryOutcome) {
  const std::string out = text(counted(12, 3, 3885, 0.35), false);
  EXPECT_EQ(out,
            "3,900 messages in 0.35 s (11,143/s): 0 pushed, 12 queued, 3 duplicate, 3,885 tossed, "
            "0 quarantined, 0 failed\n");
}

TEST(TextSummary, SaysMessageForOneAndMarksDryRuns) {
  RunReport r = counted(1, 0, 0, 0);
  r.dry_run = true;
  EXPECT_EQ(text(r, false),
            "1 message in 0.00 s (0/s): 0 pushed, 1 queued, 0 duplicate, 0 tossed, "
            "0 quarantined, 0 failed (dry run)\n");
}

TEST(TextSummary, ListsFailedAndQuarantinedWithTheirErrorEvenWhenNotVerbose) {
  RunReport r = test::sample_report();
  ReportEntry q = test::failed_entry();
  q.outcome = "quarantined";
  q.position = "9";
  q.error = "MIME structure unreadable";
  r.messages.push_back(q);
  const std::string out = text(r, false);
  EXPECT_NE(out.find("Needs attention:"), std::string::npos);
  EXPECT_NE(out.find("HTTP 503 from Dataverse after 3 tries"), std::string::npos);
  EXPECT_NE(out.find("MIME structure unreadable"), std::string::npos);
  EXPECT_EQ(out.find("jane.doe@contoso.com"), std::string::npos) << "queued is not listed";
  EXPECT_EQ(out.find("alert"), std::string::npos) << "tossed is not listed";
}

TEST(TextSummary, NothingToAttendToIsJustTheTotalsLine) {
  EXPECT_EQ(count(text(counted(2, 1, 0, 1), false), "\n"), 1u);
}

TEST(TextSummary, VerboseHasOneTerminalSafeLinePerMessage) {
  RunReport r = test::sample_report();
  r.messages[0].subject = "\x1b[31mred\x1b[0m " + std::string(100, 'x');
  const std::string out = text(r, true);
  EXPECT_EQ(count(out, "\n"), 1u + 1u + 3u);  // totals, header row, one line per message
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << "escape sequences are neutralised";
  EXPECT_EQ(out.find(std::string(60, 'x')), std::string::npos) << "subject is truncated";
  EXPECT_NE(out.find("\u2026"), std::string::npos);
  EXPECT_NE(out.find("CorrelationMatch"), std::string::npos);
  EXPECT_NE(out.find("in_reply_to"), std::string::npos);
  EXPECT_NE(out.find("error: HTTP 503"), std::string::npos);
  EXPECT_EQ(out.find('\xff'), std::string::npos);
}

// A terminal shows a CJK character in two columns and a combining accent in
// none: the text table's columns line up under Japanese or Chinese names.
TEST(TextColumns, CountTerminalColumnsNotCodePoints) {
  using report_detail::column;
  using report_detail::terminal_columns;
  using report_detail::terminal_line;
  EXPECT_EQ(column("\u65e5\u672c\u8a9e", 8), "\u65e5\u672c\u8a9e  ");  // 6 columns + 2
  EXPECT_EQ(column("e\u0301t\u00e9", 5), "e\u0301t\u00e9  ");         // 3 columns + 2
  EXPECT_EQ(terminal_line("\u65e5\u672c\u8a9e\u306e\u30e1\u30fc\u30eb", 7),
            "\u65e5\u672c\u8a9e\u2026");
  // A wide character never straddles the edge: the ellipsis takes its place.
  EXPECT_EQ(terminal_line("ab\u65e5\u672c", 4), "ab\u2026");
  EXPECT_EQ(terminal_line("abcd", 4), "abcd");
  for (const std::string s : {"plain ascii name", "\u5f20\u4f1f <zhang@example.cn>",
                              "\uc548\ub155\ud558\uc138\uc694 mixed \u00e9t\u00e9",
                              "\U0001F600 smile", "\u65e5\u672c\u8a9e\u306e\u30e1\u30fc\u30eb\u306e\u4ef6\u540d"}) {
    for (std::size_t width : {5u, 6u, 11u, 40u})
      EXPECT_EQ(terminal_columns(column(s, width)), width) << s << " in " << width;
  }
}

// --- HTML

TEST(HtmlReport, IsOneFileWithoutExternalReferences) {
  RunReport r = test::sample_report();
  const std::string out = html(r);
  EXPECT_EQ(out.rfind("<!doctype html>", 0), 0u);
  EXPECT_NE(out.find("</html>"), std::string::npos);
  for (const char* external : {"http://", "https://", "src=", "<link", "@import", "url(", "//cdn"})
    EXPECT_EQ(out.find(external), std::string::npos) << external;
  EXPECT_NE(out.find("Content-Security-Policy"), std::string::npos);
}

TEST(HtmlReport, NeverInsertsDataAsMarkup) {
  const std::string out = html(test::sample_report());
  for (const char* sink : {"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write",
                           "eval(", "new Function"})
    EXPECT_EQ(out.find(sink), std::string::npos) << sink;
  EXPECT_NE(out.find("textContent"), std::string::npos);
}

TEST(HtmlReport, EmbedsTheEntriesAndTheRunIntact) {
  const RunReport r = test::sample_report();
  const std::string out = html(r);
  const std::string rows_open = "<script type=\"application/json\" class=\"report-rows\">";
  const std::string run_open = "<script type=\"application/json\" id=\"report-run\">";
  const auto rows_at = out.find(rows_open);
  const auto run_at = out.find(run_open);
  ASSERT_NE(rows_at, std::string::npos);
  ASSERT_NE(run_at, std::string::npos);
  const auto block = [&](std::size_t at, std::size_t open) {
    return out.substr(at + open, out.find("</script>", at) - at - open);
  };
  const auto rows = nlohmann::json::parse(block(rows_at, rows_open.size()));
  const auto run = nlohmann::json::parse(block(run_at, run_open.size()));
  std::ostringstream json;
  write_json(r, json);
  const auto report = nlohmann::json::parse(json.str());
  EXPECT_EQ(rows, report["messages"]);
  EXPECT_EQ(run, report["run"]);
  EXPECT_EQ(rows[2]["subject"].get<std::string>().substr(0, 34),
            "</script><script>alert(1)</script>");
}

TEST(HtmlReport, HostileSubjectCannotCloseOrBendTheScript) {
  const std::string out = html(test::sample_report());
  EXPECT_EQ(count(out, "</script"), 3u) << "only one data block, the run and the page script close";
  EXPECT_EQ(count(out, "<script"), 3u);
  EXPECT_EQ(out.find("<!--"), std::string::npos);
  EXPECT_NE(out.find("\\u003c/script\\u003e\\u003cscript\\u003ealert(1)"), std::string::npos);
}

TEST(HtmlReport, ShowsRunInfoAndTotalsAboveTheTableThoughWrittenLast) {
  const std::string out = html(test::sample_report());
  EXPECT_LT(out.find("id=\"messages\""), out.find("<header>"));
  EXPECT_NE(out.find("header{order:-2}"), std::string::npos);
  EXPECT_NE(out.find(".overview{order:-1"), std::string::npos);
  EXPECT_NE(out.find("<div class=\"overview\">\n<section class=\"summary\">"), std::string::npos);
  EXPECT_EQ(out.find("class=\"note\""), std::string::npos) << "nothing left out";
}

TEST(HtmlReport, EscapesRunInfoInTheHeader) {
  RunReport r = test::sample_report();
  r.command = "<b>x</b>";
  const std::string out = html(r);
  EXPECT_EQ(out.find("<b>x</b>"), std::string::npos);
  EXPECT_NE(out.find("&lt;b&gt;x&lt;/b&gt;"), std::string::npos);
}

TEST(HtmlReport, DrawsADonutSegmentPerPresentOutcomeAndALegendForAll) {
  const std::string out = html(test::sample_report());
  EXPECT_NE(out.find("<svg class=\"donut\""), std::string::npos);
  EXPECT_EQ(count(out, "class=\"seg "), 3u);
  EXPECT_NE(out.find("seg o-queued"), std::string::npos);
  EXPECT_EQ(out.find("seg o-pushed"), std::string::npos);
  EXPECT_EQ(count(out, "data-outcome=\""), 6u);
  EXPECT_NE(out.find("aria-label=\"Outcomes: 0 pushed, 1 queued, 0 duplicate, 1 tossed, "
                     "0 quarantined, 1 failed\""),
            std::string::npos);
}

// The detail card of a message lists its facts; "Forwarded by" (the
// forwarding user of an unwrapped message) is one, shown only when set, and
// the filter box finds a message by it.
TEST(HtmlReport, DetailCardShowsTheForwardingUser) {
  const std::string out = html(test::sample_report());
  EXPECT_NE(out.find("fact('Forwarded by', m.forwarded_by)"), std::string::npos);
  EXPECT_NE(out.find("m.from, m.forwarded_by,"), std::string::npos) << "searchable";
  EXPECT_NE(out.find("\"forwarded_by\":\"adele.vance@fabrikam.com\""), std::string::npos);
}

TEST(HtmlReport, HasFilterOutcomeSelectorAndSortableTable) {
  const std::string out = html(RunReport{});
  EXPECT_NE(out.find("id=\"filter\""), std::string::npos);
  EXPECT_NE(out.find("id=\"outcome\""), std::string::npos);
  EXPECT_NE(out.find("id=\"messages\""), std::string::npos);
  EXPECT_NE(out.find("aria-sort"), std::string::npos);
}

// --- files

class ReportFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("crmr_report_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  std::size_t entries() {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir_), {}));
  }
  fs::path dir_;
};

TEST_F(ReportFile, ChoosesTheFormatByExtensionIgnoringCase) {
  const struct {
    const char* name;
    const char* starts_with;
  } cases[] = {
      {"r.json", "{\"messages\": ["}, {"R.JSON", "{\"messages\": ["}, {"r.csv", "source,position,"},
      {"r.Csv", "source,"},            {"r.html", "<!doctype html>"},     {"r.htm", "<!doctype html>"},
      {"r.HTML", "<!doctype"},         {"r.txt", "POSITION     OUTCOME     REASON"},
  };
  const RunReport r = test::sample_report();
  for (const auto& c : cases) {
    const fs::path p = dir_ / c.name;
    const auto st = write_report_file(r, p.string());
    ASSERT_OK(st) << c.name;
    EXPECT_EQ(read(p).rfind(c.starts_with, 0), 0u) << c.name;
    fs::remove(p);
  }
  EXPECT_EQ(entries(), 0u) << "no temporary files left behind";
}

TEST_F(ReportFile, TextFileIsTheVerboseLinesThenTheTotals) {
  const fs::path p = dir_ / "r.txt";
  ASSERT_TRUE(write_report_file(test::sample_report(), p.string()));
  const std::string out = read(p);
  EXPECT_EQ(count(out, "\n"), 5u);  // header row, 3 messages, totals
  EXPECT_EQ(out.rfind("POSITION     OUTCOME     REASON", 0), 0u) << out;
  const std::string last_line = "3 messages in 1.50 s (2/s): 0 pushed, 1 queued, 0 duplicate, "
                                "1 tossed, 0 quarantined, 1 failed (dry run)\n";
  EXPECT_EQ(out.substr(out.size() - last_line.size()), last_line);
}

TEST_F(ReportFile, ReplacesAnExistingReport) {
  const fs::path p = dir_ / "r.json";
  std::ofstream(p) << "old";
  ASSERT_TRUE(write_report_file(test::sample_report(), p.string()));
  EXPECT_TRUE(read_json(read(p)));
  EXPECT_EQ(entries(), 1u);
}

TEST_F(ReportFile, RejectsAnUnknownExtensionAndListsTheFormats) {
  for (const char* name : {"r.xml", "r", "r.json.bak", "r."}) {
    const fs::path p = dir_ / name;
    const auto st = write_report_file(test::sample_report(), p.string());
    ASSERT_FALSE(st) << name;
    EXPECT_ERROR_CODE(st, Code::ReportFormat);
    EXPECT_NE(st.error().message.find(p.string()), std::string::npos);
    for (const char* f : {".json", ".csv", ".html", ".htm", ".txt"})
      EXPECT_NE(st.error().hint.find(f), std::string::npos) << f;
  }
  EXPECT_EQ(entries(), 0u);
}

TEST_F(ReportFile, NamesThePathWhenItCannotWrite) {
  const fs::path p = dir_ / "missing" / "r.json";
  const auto st = write_report_file(test::sample_report(), p.string());
  ASSERT_FALSE(st);
  EXPECT_ERROR_CODE(st, Code::ReportWrite);
  EXPECT_NE(st.error().message.find(p.string()), std::string::npos) << st.error().message;
  EXPECT_EQ(entries(), 0u);
}

TEST_F(ReportFile, LeavesTheOldReportWhenTheTargetCannotBeReplaced) {
  const fs::path p = dir_ / "r.json";
  fs::create_directories(p / "busy");  // a non-empty directory cannot be renamed over
  const auto st = write_report_file(test::sample_report(), p.string());
  ASSERT_FALSE(st);
  EXPECT_ERROR_CODE(st, Code::ReportWrite);
  EXPECT_TRUE(fs::is_directory(p / "busy"));
  EXPECT_EQ(entries(), 1u) << "the temporary file is removed";
}

}  // namespace
}  // namespace crmr
