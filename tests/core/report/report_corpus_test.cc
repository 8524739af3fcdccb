// Every file of the real corpus (CRMR_CORPUS_DIR) parsed and put into one
// report, which each writer must then handle: real subjects carry invalid
// UTF-8, control characters, markup and formula-like prefixes.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/mime/mime_parser.h"
#include "core/report/report.h"
#include "tests/support/result_matchers.h"
#include "tests/support/temp_dir.h"

namespace crmr {
namespace {

namespace fs = std::filesystem;

RunReport corpus_report() {
  RunReport r;
  r.command = "import";
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(CRMR_CORPUS_DIR))
    if (e.is_regular_file() && e.path().filename() != "README.md" && e.file_size() <= 2u << 20)
      files.push_back(e.path());
  std::sort(files.begin(), files.end());
  const Outcome outcomes[] = {Outcome::Pushed, Outcome::Queued,      Outcome::Duplicate,
                              Outcome::Tossed, Outcome::Quarantined, Outcome::Failed};
  for (std::size_t i = 0; i < files.size(); ++i) {
    std::ifstream in(files[i], std::ios::binary);
    const std::string raw{std::istreambuf_iterator<char>(in), {}};
    const auto msg = parse_message(raw);
    Decision d;
    d.outcome = outcomes[i % 6];
    d.reason = "Corpus";
    ReportEntry e = make_entry(files[i].parent_path().string(), files[i].filename().string(),
                               msg ? *msg : Message{}, d);
    if (!msg) e.error = msg.error().describe();
    r.messages.push_back(std::move(e));
  }
  return r;
}

TEST(ReportCorpus, EveryWriterHandlesEveryCorpusMessage) {
  const RunReport r = corpus_report();
  ASSERT_GT(r.messages.size(), 500u);

  std::ostringstream json;
  write_json(r, json);
  const auto doc = nlohmann::json::parse(json.str());  // throws if not valid UTF-8 JSON
  EXPECT_EQ(doc["messages"].size(), r.messages.size());
  const auto back = read_json(json.str());
  ASSERT_OK(back);
  EXPECT_EQ(back->messages.size(), r.messages.size());

  std::ostringstream csv;
  write_csv(r, csv);
  EXPECT_GT(csv.str().size(), r.messages.size() * 16);

  std::ostringstream html;
  write_html(r, html);
  const std::string page = html.str();
  const auto count = [&](const std::string& needle) {
    std::size_t n = 0;
    for (auto p = page.find(needle); p != std::string::npos; p = page.find(needle, p + 1)) ++n;
    return n;
  };
  const std::size_t blocks = (r.messages.size() + 999) / 1000;
  EXPECT_EQ(count("</script"), blocks + 2) << "entry blocks, the run and the page script";
  EXPECT_EQ(count("<script"), blocks + 2);
  EXPECT_EQ(page.find("<!--"), std::string::npos);

  std::ostringstream text;
  write_text_summary(r, text, true);
  const std::string t = text.str();
  // The totals line, the header row, one line per message.
  EXPECT_EQ(static_cast<std::size_t>(std::count(t.begin(), t.end(), '\n')), 2 + r.messages.size());
  EXPECT_EQ(t.find('\x1b'), std::string::npos);
}

// Streamed files hold what the whole-run writers write, for every format.
TEST(ReportCorpus, StreamedFilesMatchTheWholeRunWriters) {
  const RunReport r = corpus_report();
  const test::TempDir tmp("report_corpus");
  const fs::path& dir = tmp.path();
  const auto streamed = [&](const std::string& name) {
    auto w = open_report_writer((dir / name).string());
    EXPECT_TRUE(w);
    if (!w) return std::string();
    for (const auto& e : r.messages) EXPECT_TRUE((*w)->add(e));
    EXPECT_TRUE((*w)->finish(r.header()));
    std::ifstream in(dir / name, std::ios::binary);
    return std::string{std::istreambuf_iterator<char>(in), {}};
  };
  std::ostringstream json, csv, html, lines;
  write_json(r, json);
  write_csv(r, csv);
  write_html(r, html);
  if (!r.messages.empty()) write_text_header(lines);
  for (const auto& e : r.messages) write_text_line(e, lines);
  write_summary_line(r.header(), lines);
  EXPECT_EQ(nlohmann::json::parse(streamed("r.json")), nlohmann::json::parse(json.str()));
  EXPECT_EQ(streamed("r.csv"), csv.str());
  EXPECT_EQ(streamed("r.html"), html.str());
  EXPECT_EQ(streamed("r.txt"), lines.str());
}

}  // namespace
}  // namespace crmr
