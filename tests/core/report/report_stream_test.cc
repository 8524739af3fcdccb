// Specification of the streaming ReportWriter: a streamed file says the same
// as the whole-run writers in every format, a writer that does not finish
// leaves no file, the HTML page caps what it embeds, and memory does not grow
// with the number of entries (figures printed, growth asserted).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "core/report/report.h"
#include "tests/core/report/report_fixture.h"
#include "tests/support/result_matchers.h"
#include "tests/support/temp_dir.h"

namespace crmr {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

// The sample run with `copies` times its three entries.
RunReport sample_run(std::size_t copies) {
  RunReport r = test::sample_report();
  const auto three = r.messages;
  r.messages.clear();
  for (std::size_t i = 0; i < copies; ++i)
    for (auto e : three) {
      e.position = std::to_string(r.messages.size() + 1);
      r.messages.push_back(std::move(e));
    }
  return r;
}

template <class Writer>
std::string batch(const RunReport& r, Writer w) {
  std::ostringstream s;
  w(r, s);
  return s.str();
}

class ReportStream : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_ = std::make_unique<test::TempDir>("report_stream");
    dir_ = tmp_->path();
  }
  void TearDown() override { tmp_.reset(); }

  std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  std::size_t files() {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir_), {}));
  }
  // Streams the entries of `r` one by one into `name` and returns the file.
  std::string stream(const RunReport& r, const std::string& name,
                     const ReportWriterOptions& opt = {}) {
    const fs::path p = dir_ / name;
    auto w = open_report_writer(p.string(), opt);
    EXPECT_OK(w);
    if (!w) return {};
    for (const auto& e : r.messages) EXPECT_TRUE((*w)->add(e));
    RunHeader run = r.header();
    run.messages = 0;  // the writer counts for itself
    run.totals.clear();
    const auto st = (*w)->finish(run);
    EXPECT_OK(st);
    return read(p);
  }

  std::unique_ptr<test::TempDir> tmp_;
  fs::path dir_;
};

TEST_F(ReportStream, JsonSaysTheSameAsWriteJsonWithTheRunLast) {
  for (std::size_t copies : {0u, 1u, 5u}) {
    const RunReport r = sample_run(copies);
    const std::string streamed = stream(r, "r.json");
    const std::string whole = batch(r, write_json);
    EXPECT_EQ(json::parse(streamed), json::parse(whole)) << copies;

    const auto doc = ordered_json::parse(streamed);
    std::vector<std::string> keys;
    for (const auto& [k, v] : doc.items()) keys.push_back(k);
    EXPECT_EQ(keys, (std::vector<std::string>{"messages", "run"}));
    EXPECT_EQ(count(streamed, "\n"), copies == 0 ? 2u : 3 + 3 * copies) << "one message per line";

    const auto back = read_json(streamed);
    ASSERT_OK(back);
    EXPECT_EQ(batch(*back, write_json), batch(*read_json(whole), write_json));
  }
}

TEST_F(ReportStream, CsvIsByteForByteWriteCsv) {
  const RunReport r = sample_run(4);
  EXPECT_EQ(stream(r, "r.csv"), batch(r, write_csv));
  EXPECT_EQ(stream(RunReport{}, "empty.csv"), batch(RunReport{}, write_csv));
}

TEST_F(ReportStream, HtmlIsByteForByteWriteHtml) {
  const RunReport r = sample_run(4);
  EXPECT_EQ(stream(r, "r.html"), batch(r, write_html));
  EXPECT_EQ(stream(RunReport{}, "empty.htm"), batch(RunReport{}, write_html));
}

TEST_F(ReportStream, TextIsTheHeaderAndVerboseLinesThenTheSummaryLine) {
  const RunReport r = sample_run(2);
  const std::string streamed = stream(r, "r.txt");
  std::ostringstream lines;
  write_text_header(lines);
  for (const auto& e : r.messages) write_text_line(e, lines);
  std::ostringstream summary;
  write_summary_line(r.header(), summary);
  EXPECT_EQ(streamed, lines.str() + summary.str());

  // The same lines as the verbose summary on stdout, where the totals come first.
  std::ostringstream verbose;
  write_text_summary(r, verbose, true);
  EXPECT_EQ(verbose.str(), summary.str() + lines.str());
}

TEST_F(ReportStream, CountsTheEntriesItWasGivenWhateverTheHeaderSays) {
  const fs::path p = dir_ / "r.json";
  auto w = open_report_writer(p.string());
  ASSERT_TRUE(w);
  ASSERT_TRUE((*w)->add(test::queued_entry()));
  ASSERT_TRUE((*w)->add(test::failed_entry()));
  RunHeader run;
  run.command = "import";
  run.messages = 99;
  run.totals = {{"pushed", 42}};
  ASSERT_TRUE((*w)->finish(run));
  const auto doc = json::parse(read(p));
  EXPECT_EQ(doc["run"]["messages"], 2);
  EXPECT_EQ(doc["run"]["totals"]["pushed"], 0);
  EXPECT_EQ(doc["run"]["totals"]["queued"], 1);
  EXPECT_EQ(doc["run"]["totals"]["failed"], 1);
  EXPECT_EQ(doc["run"]["command"], "import");
}

TEST_F(ReportStream, AWriterDestroyedWithoutFinishLeavesNoFile) {
  for (const char* name : {"r.json", "r.csv", "r.html", "r.txt"}) {
    {
      auto w = open_report_writer((dir_ / name).string());
      ASSERT_TRUE(w) << name;
      ASSERT_TRUE((*w)->add(test::queued_entry()));
      EXPECT_EQ(files(), 1u) << "the temporary file while writing";
    }
    EXPECT_EQ(files(), 0u) << name;
  }
}

TEST_F(ReportStream, AnUnfinishedWriterLeavesTheOldReportAlone) {
  const fs::path p = dir_ / "r.json";
  std::ofstream(p) << "old";
  {
    auto w = open_report_writer(p.string());
    ASSERT_TRUE(w);
    ASSERT_TRUE((*w)->add(test::queued_entry()));
  }
  EXPECT_EQ(read(p), "old");
  EXPECT_EQ(files(), 1u);
}

TEST_F(ReportStream, FinishIsFinal) {
  const fs::path p = dir_ / "r.csv";
  auto w = open_report_writer(p.string());
  ASSERT_TRUE(w);
  ASSERT_TRUE((*w)->finish(RunHeader{}));
  const auto again = (*w)->finish(RunHeader{});
  ASSERT_FALSE(again);
  EXPECT_ERROR_CODE(again, Code::ReportWrite);
  EXPECT_FALSE((*w)->add(test::queued_entry()));
  w->reset();
  EXPECT_TRUE(fs::exists(p)) << "destroying a finished writer keeps the file";
  EXPECT_EQ(files(), 1u);
}

TEST_F(ReportStream, RefusesUnknownExtensionsAndMissingDirectories) {
  const auto bad = open_report_writer((dir_ / "r.xml").string());
  ASSERT_FALSE(bad);
  EXPECT_ERROR_CODE(bad, Code::ReportFormat);
  const auto missing = open_report_writer((dir_ / "no" / "r.json").string());
  ASSERT_FALSE(missing);
  EXPECT_ERROR_CODE(missing, Code::ReportWrite);
  EXPECT_NE(missing.error().message.find("r.json"), std::string::npos);
  EXPECT_EQ(files(), 0u);
}

TEST_F(ReportStream, HtmlEmbedsEntriesInBlocksOfAThousand) {
  const RunReport r = sample_run(834);  // 2502 entries
  const std::string page = stream(r, "r.html");
  EXPECT_EQ(count(page, "class=\"report-rows\""), 3u);
  EXPECT_EQ(count(page, "</script"), 3u + 2u);
  std::size_t embedded = 0;
  const std::string open = "class=\"report-rows\">";
  for (auto at = page.find(open); at != std::string::npos; at = page.find(open, at + 1)) {
    const auto from = at + open.size();
    embedded += json::parse(page.substr(from, page.find("</script>", from) - from)).size();
  }
  EXPECT_EQ(embedded, 2502u);
  EXPECT_EQ(page.find("class=\"note\""), std::string::npos);
}

TEST_F(ReportStream, HtmlCapsTheEmbeddedEntriesAndSaysSo) {
  const RunReport r = sample_run(2);  // 6 entries
  const struct {
    ReportWriterOptions opt;
    std::size_t embedded;
  } cases[] = {
      {{4, std::size_t{64} << 20}, 4},
      {{100, entry_to_json(test::queued_entry()).size() + 1}, 1},  // only the first fits
      {{0, std::size_t{64} << 20}, 0},
  };
  for (const auto& c : cases) {
    const std::string page = stream(r, "r.html", c.opt);
    EXPECT_EQ(count(page, "{\"source\":"), c.embedded);
    EXPECT_NE(page.find("This page holds the first " + std::to_string(c.embedded) + " of 6 messages"),
              std::string::npos);
    EXPECT_NE(page.find("The JSON and CSV reports"), std::string::npos);
    EXPECT_NE(page.find("\"messages\":6"), std::string::npos) << "the run counts every entry";
    EXPECT_NE(page.find("<text x=\"21\" y=\"22.5\">6</text>"), std::string::npos);
  }
}

TEST(RunHeader, TallyCountsMessagesAndOutcomes) {
  RunHeader h;
  for (const auto& e : test::sample_report().messages) h.tally(e);
  h.tally(test::failed_entry());
  EXPECT_EQ(h.messages, 4u);
  EXPECT_EQ(h.totals, (std::map<std::string, std::uint64_t>{{"queued", 1}, {"failed", 2},
                                                            {"tossed", 1}}));
  h.elapsed_s = 2;
  EXPECT_DOUBLE_EQ(h.messages_per_s(), 2.0);
}

TEST(RunHeader, SummaryLineListsMissingOutcomesAsZero) {
  RunHeader h;
  h.messages = 2;
  h.totals = {{"queued", 2}};
  std::ostringstream out;
  write_summary_line(h, out);
  EXPECT_EQ(out.str(),
            "2 messages in 0.00 s (0/s): 0 pushed, 2 queued, 0 duplicate, 0 tossed, "
            "0 quarantined, 0 failed\n");
}

TEST(RunHeader, RunToJsonIsTheRunObjectOfTheReport) {
  const RunReport r = test::sample_report();
  const auto doc = ordered_json::parse(batch(r, write_json));
  EXPECT_EQ(run_to_json(r.header()), doc["run"].dump());
}

// --- memory

// Resident set size of this process in KiB (Linux), 0 when unknown.
long rss_kib() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

TEST_F(ReportStream, MemoryDoesNotGrowWithTheNumberOfEntries) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer keeps freed memory in quarantine; RSS says nothing";
#endif
  {  // the probe sees memory that is used
    const long before = rss_kib();
    std::vector<char> used(std::size_t{16} << 20, 'x');
    if (before > 0) {
      EXPECT_GT(rss_kib() - before, 12 * 1024) << "VmRSS probe";
    }
    EXPECT_EQ(used[used.size() / 2], 'x');
  }
  const struct {
    const char* name;
    std::size_t entries;
  } cases[] = {{"big.json", 200'000}, {"big.csv", 50'000}, {"big.html", 50'000},
               {"big.txt", 50'000}};
  for (const auto& c : cases) {
    const fs::path p = dir_ / c.name;
    auto w = open_report_writer(p.string());
    ASSERT_TRUE(w);
    ReportEntry e = test::queued_entry();
    for (int i = 0; i < 2000; ++i) ASSERT_TRUE((*w)->add(e));  // buffers reach their size
    const long before = rss_kib();
    for (std::size_t i = 2000; i < c.entries; ++i) {
      e.position = std::to_string(i);
      ASSERT_TRUE((*w)->add(e));
    }
    ASSERT_TRUE((*w)->finish(RunHeader{}));
    const long after = rss_kib();
    const auto mib = static_cast<double>(fs::file_size(p)) / (1 << 20);
    std::printf("[ figure   ] %s: %zu entries, %.0f MiB file, RSS %ld -> %ld KiB (%+ld KiB)\n",
                c.name, c.entries, mib, before, after, after - before);
    if (before > 0) {
      EXPECT_LT(after - before, 4 * 1024) << c.name;
    }
    fs::remove(p);
  }
}

}  // namespace
}  // namespace crmr
