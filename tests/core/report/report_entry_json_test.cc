// Specification of entry_to_json / entry_from_json: one entry as exactly an
// element of "messages" in the JSON report, on one line, always valid UTF-8
// JSON, and back. Also prints how long entry_to_json takes for a typical
// entry (a figure, not an assertion).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/report/report.h"
#include "tests/core/report/report_fixture.h"
#include "tests/support/result_matchers.h"

namespace crmr {
namespace {

using nlohmann::ordered_json;

// The "messages" lines of the golden report (written by the original
// nlohmann-based writer): "  {...}," or "  {...}".
std::vector<std::string> golden_entry_lines() {
  std::ifstream in(std::string(CRMR_TEST_DATA_DIR) + "/report/sample.json", std::ios::binary);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("  {", 0) != 0) continue;
    line.erase(0, 2);
    if (line.back() == ',') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

ReportEntry with_every_string(const std::string& s) {
  ReportEntry e = test::queued_entry();
  e.source = e.position = e.message_id = e.key = e.date = e.from = e.forwarded_by = e.subject = s;
  e.outcome = e.reason = e.correlation = e.error = e.activity_id = s;
  e.regarding = Regarding{s, s};
  e.parties = {Party{s, s, s, s, s, s}};
  e.attachments = {AttachmentVerdict{s, 7, false, s}};
  e.warnings = {s, s};
  e.steps = {Step{s, true, s}};
  return e;
}

// A typical entry of a real run: 4 parties, 8 decision steps.
ReportEntry typical_entry() {
  ReportEntry e = test::queued_entry();
  e.parties.clear();
  for (int i = 0; i < 4; ++i)
    e.parties.push_back(Party{i == 0 ? "from" : "to",
                              "person" + std::to_string(i) + "@contoso.com", "contact",
                              "3f2504e0-4f89-11d3-9a0c-0305e82c330" + std::to_string(i),
                              "Person Name", ""});
  e.steps.clear();
  for (int i = 0; i < 8; ++i)
    e.steps.push_back(Step{"correlation.rule_" + std::to_string(i), i % 2 == 0,
                           "some detail text explaining why the rule fired or not, number " +
                               std::to_string(i)});
  return e;
}

TEST(EntryJson, IsExactlyAnElementOfTheGoldenReport) {
  const auto golden = golden_entry_lines();
  const RunReport r = test::sample_report();
  ASSERT_EQ(golden.size(), r.messages.size());
  for (std::size_t i = 0; i < golden.size(); ++i) EXPECT_EQ(entry_to_json(r.messages[i]), golden[i]);
}

TEST(EntryJson, IsWhatTheJsonReportHoldsForEachMessage) {
  const RunReport r = test::sample_report();
  std::ostringstream report;
  write_json(r, report);
  const auto doc = ordered_json::parse(report.str());
  for (std::size_t i = 0; i < r.messages.size(); ++i)
    EXPECT_EQ(ordered_json::parse(entry_to_json(r.messages[i])), doc["messages"][i]);
}

TEST(EntryJson, IsOneLineEvenWithLineBreaksInside) {
  const std::string json = entry_to_json(with_every_string("a\nb\r\nc\u2028d"));
  EXPECT_EQ(json.find('\n'), std::string::npos);
  EXPECT_EQ(json.find('\r'), std::string::npos);
}

// For valid UTF-8 the output is byte for byte nlohmann::json's, and the
// string comes back unchanged.
TEST(EntryJson, EscapesLikeNlohmannAndRoundTripsValidUtf8) {
  std::string all_ascii;
  for (int c = 0; c < 0x80; ++c) all_ascii += static_cast<char>(c);
  const std::string cases[] = {
      "",
      all_ascii,
      "\"quoted\" \\back\\slash\\",
      "</script><!--<script>&amp;",
      "Rückfrage – 日本語 – 😀 – \u2028\u2029 – \u202e bidi",
      std::string("nul\0inside", 10),
      "\x7f\x1b[31m",
      "\xF4\x8F\xBF\xBF max code point",
  };
  for (const auto& s : cases) {
    const ReportEntry e = with_every_string(s);
    const std::string json = entry_to_json(e);
    EXPECT_EQ(json, ordered_json::parse(json).dump()) << "as nlohmann writes it";
    const auto back = entry_from_json(json);
    ASSERT_OK(back);
    EXPECT_EQ(back->subject, s);
    EXPECT_EQ(back->parties.at(0).name, s);
    EXPECT_EQ(back->steps.at(0).detail, s);
    EXPECT_EQ(back->warnings, (std::vector<std::string>{s, s}));
    EXPECT_EQ(entry_to_json(*back), json);
  }
}

TEST(EntryJson, ReplacesEachInvalidUtf8ByteByUFFFD) {
  const struct {
    const char* raw;
    const char* read_back;
  } cases[] = {
      {"\xff\xfe end", "\uFFFD\uFFFD end"},
      {"trunc \xE2\x82", "trunc \uFFFD\uFFFD"},
      {"stray \x80 cont", "stray \uFFFD cont"},
      {"overlong \xC0\xAF", "overlong \uFFFD\uFFFD"},
      {"surrogate \xED\xA0\x80", "surrogate \uFFFD\uFFFD\uFFFD"},
      {"too big \xF4\x90\x80\x80", "too big \uFFFD\uFFFD\uFFFD\uFFFD"},
      {"\xE2\x82 then ok \xE2\x82\xAC", "\uFFFD\uFFFD then ok \u20AC"},
      {"<\xff>", "<\uFFFD>"},
  };
  for (const auto& c : cases) {
    const std::string json = entry_to_json(with_every_string(c.raw));
    EXPECT_TRUE(ordered_json::accept(json)) << "valid UTF-8 JSON for " << c.raw;
    const auto back = entry_from_json(json);
    ASSERT_OK(back);
    EXPECT_EQ(back->subject, c.read_back) << c.raw;
    EXPECT_EQ(back->regarding->id, c.read_back) << c.raw;
  }
}

TEST(EntryJson, WritesNullsByTheDocumentedRules) {
  const auto j = ordered_json::parse(entry_to_json(test::failed_entry()));
  EXPECT_TRUE(j["date"].is_null());
  EXPECT_TRUE(j["regarding"].is_null());
  EXPECT_TRUE(j["forwarded_by"].is_null()) << "not unwrapped from a forward";
  EXPECT_EQ(j["error"], "HTTP 503 from Dataverse after 3 tries");
  const auto q = ordered_json::parse(entry_to_json(test::queued_entry()));
  EXPECT_TRUE(q["error"].is_null());
  EXPECT_TRUE(q["activity_id"].is_null());
  EXPECT_TRUE(q["parties"][2]["entity"].is_null());
  EXPECT_TRUE(q["parties"][2]["id"].is_null());
  EXPECT_EQ(q["parties"][2]["name"], "") << "name is a string, possibly empty";
  EXPECT_EQ(q["attachments"][0]["bytes"], 123456);
  EXPECT_EQ(q["forwarded_by"], "adele.vance@fabrikam.com");
}

// Decisions stored before "forwarded_by" existed (in the ledger, the outbox
// and run entries) still read: as not unwrapped. A warning that happens to
// say who forwarded it is only a warning.
TEST(EntryFromJson, ReadsAnEntryWithoutForwardedByAsNotUnwrapped) {
  auto old = ordered_json::parse(entry_to_json(test::queued_entry()));
  old.erase("forwarded_by");
  old["warnings"].push_back("unwrapped from a message forwarded by adele.vance@fabrikam.com");
  const auto back = entry_from_json(old.dump());
  ASSERT_OK(back);
  EXPECT_EQ(back->forwarded_by, "");
  EXPECT_EQ(back->from, "jane.doe@contoso.com");
  EXPECT_EQ(ordered_json::parse(entry_to_json(*back))["forwarded_by"], nullptr)
      << "written back with the key, null";
}

TEST(EntryFromJson, ForwardedByMustBeAStringOrNull) {
  auto bad = ordered_json::parse(entry_to_json(test::queued_entry()));
  bad["forwarded_by"] = 7;
  const auto r = entry_from_json(bad.dump());
  ASSERT_FALSE(r);
  EXPECT_ERROR_CODE(r, Code::ReportBadJson);
}

TEST(EntryJson, BytesKeepAllSixtyFourBits) {
  ReportEntry e = test::queued_entry();
  e.attachments = {AttachmentVerdict{"big", UINT64_MAX, true, ""}};
  const auto back = entry_from_json(entry_to_json(e));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->attachments.at(0).bytes, UINT64_MAX);
}

TEST(EntryFromJson, RejectsWhatIsNotAnEntry) {
  const std::string good = entry_to_json(test::queued_entry());
  auto missing = ordered_json::parse(good);
  missing.erase("outcome");
  auto wrong_type = ordered_json::parse(good);
  wrong_type["steps"] = "none";
  const std::string cases[] = {"", "not json", "[]", "{}", "null", "\"entry\"",
                               missing.dump(), wrong_type.dump(), good.substr(0, good.size() - 1)};
  for (const auto& c : cases) {
    const auto r = entry_from_json(c);
    ASSERT_FALSE(r) << c;
    EXPECT_ERROR_CODE(r, Code::ReportBadJson) << c;
    EXPECT_FALSE(r.error().hint.empty());
  }
}

TEST(EntryJson, SpeedOfATypicalEntry) {
  const ReportEntry e = typical_entry();
  std::size_t bytes = 0;
  for (int i = 0; i < 1000; ++i) bytes += entry_to_json(e).size();  // warm up
  constexpr int kRounds = 100'000;
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kRounds; ++i) bytes += entry_to_json(e).size();
  const double us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() /
      kRounds;
  std::printf("[ figure   ] entry_to_json: %.2f us per entry of %zu bytes (4 parties, 8 steps)\n",
              us, entry_to_json(e).size());
  EXPECT_GT(bytes, 0u);
}

}  // namespace
}  // namespace crmr
