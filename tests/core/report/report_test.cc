// Specification of the report model and its JSON format: entries from
// decisions, totals, timestamps, the documented JSON keys and null rules, and
// the read_json round trip.
#include "core/report/report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "tests/core/report/report_fixture.h"
#include "tests/support/result_matchers.h"

namespace crmr {
namespace {

using nlohmann::ordered_json;

std::string to_json(const RunReport& r) {
  std::ostringstream s;
  write_json(r, s);
  return s.str();
}

std::vector<std::string> keys_of(const ordered_json& j) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.push_back(k);
  return keys;
}

void expect_same(const ReportEntry& a, const ReportEntry& b) {
  EXPECT_EQ(a.source, b.source);
  EXPECT_EQ(a.position, b.position);
  EXPECT_EQ(a.message_id, b.message_id);
  EXPECT_EQ(a.key, b.key);
  EXPECT_EQ(a.date, b.date);
  EXPECT_EQ(a.from, b.from);
  EXPECT_EQ(a.forwarded_by, b.forwarded_by);
  EXPECT_EQ(a.subject, b.subject);
  EXPECT_EQ(a.outcome, b.outcome);
  EXPECT_EQ(a.reason, b.reason);
  EXPECT_EQ(a.correlation, b.correlation);
  ASSERT_EQ(a.regarding.has_value(), b.regarding.has_value());
  if (a.regarding) {
    EXPECT_EQ(a.regarding->entity, b.regarding->entity);
    EXPECT_EQ(a.regarding->id, b.regarding->id);
  }
  EXPECT_EQ(a.correlated_activity_id, b.correlated_activity_id);
  ASSERT_EQ(a.accepted_by.size(), b.accepted_by.size());
  for (std::size_t i = 0; i < a.accepted_by.size(); ++i) {
    EXPECT_EQ(a.accepted_by[i].entity, b.accepted_by[i].entity);
    EXPECT_EQ(a.accepted_by[i].id, b.accepted_by[i].id);
    EXPECT_EQ(a.accepted_by[i].name, b.accepted_by[i].name);
    EXPECT_EQ(a.accepted_by[i].via, b.accepted_by[i].via);
  }
  ASSERT_EQ(a.queues.size(), b.queues.size());
  for (std::size_t i = 0; i < a.queues.size(); ++i) {
    EXPECT_EQ(a.queues[i].queue_id, b.queues[i].queue_id);
    EXPECT_EQ(a.queues[i].queue, b.queues[i].queue);
    EXPECT_EQ(a.queues[i].item_id, b.queues[i].item_id);
  }
  ASSERT_EQ(a.parties.size(), b.parties.size());
  for (std::size_t i = 0; i < a.parties.size(); ++i) {
    EXPECT_EQ(a.parties[i].role, b.parties[i].role);
    EXPECT_EQ(a.parties[i].address, b.parties[i].address);
    EXPECT_EQ(a.parties[i].entity, b.parties[i].entity);
    EXPECT_EQ(a.parties[i].id, b.parties[i].id);
    EXPECT_EQ(a.parties[i].name, b.parties[i].name);
  }
  ASSERT_EQ(a.attachments.size(), b.attachments.size());
  for (std::size_t i = 0; i < a.attachments.size(); ++i) {
    EXPECT_EQ(a.attachments[i].filename, b.attachments[i].filename);
    EXPECT_EQ(a.attachments[i].bytes, b.attachments[i].bytes);
    EXPECT_EQ(a.attachments[i].kept, b.attachments[i].kept);
    EXPECT_EQ(a.attachments[i].why, b.attachments[i].why);
  }
  EXPECT_EQ(a.warnings, b.warnings);
  EXPECT_EQ(a.error, b.error);
  EXPECT_EQ(a.activity_id, b.activity_id);
  ASSERT_EQ(a.steps.size(), b.steps.size());
  for (std::size_t i = 0; i < a.steps.size(); ++i) {
    EXPECT_EQ(a.steps[i].rule, b.steps[i].rule);
    EXPECT_EQ(a.steps[i].fired, b.steps[i].fired);
    EXPECT_EQ(a.steps[i].detail, b.steps[i].detail);
  }
}

// --- model

TEST(RunReport, TotalsListAllSixOutcomesEvenWhenZero) {
  RunReport r;
  r.messages.resize(3);
  r.messages[0].outcome = "queued";
  r.messages[1].outcome = "queued";
  r.messages[2].outcome = "tossed";
  const auto t = r.totals();
  EXPECT_EQ(t, (std::map<std::string, std::uint64_t>{{"pushed", 0}, {"queued", 2},
                                                      {"duplicate", 0}, {"tossed", 1},
                                                      {"quarantined", 0}, {"failed", 0}}));
}

TEST(RunReport, ThroughputIsMessagesPerSecondAndZeroWithoutElapsedTime) {
  RunReport r;
  r.messages.resize(10);
  EXPECT_EQ(r.messages_per_s(), 0.0);
  r.elapsed_s = 2.5;
  EXPECT_DOUBLE_EQ(r.messages_per_s(), 4.0);
}

TEST(MakeEntry, FillsFromMessageAndDecision) {
  Message m;
  m.message_id = "x@y";
  m.date = 1700000000;
  m.from = {Address{"Jane", "Jane@Contoso.com"}, Address{"", "second@contoso.com"}};
  m.subject = "Hello";
  m.warnings = {"w1"};
  Decision d;
  d.key = "mid:x@y";
  d.outcome = Outcome::Queued;
  d.reason = "SenderMatch";
  d.correlation = Correlation::TrackingToken;
  d.regarding = Regarding{"account", "a-1"};
  d.parties = {Party{"from", "Jane@Contoso.com", "contact", "c-1", "Jane", ""}};
  d.attachments = {AttachmentVerdict{"a.txt", 3, true, ""}};
  d.steps = {Step{"correlation.tracking_token", true, "CRM:0001"}};

  const ReportEntry e = make_entry("dir/", "a.eml", m, d);
  EXPECT_EQ(e.source, "dir/");
  EXPECT_EQ(e.position, "a.eml");
  EXPECT_EQ(e.message_id, "x@y");
  EXPECT_EQ(e.key, "mid:x@y");
  EXPECT_EQ(e.date, "2023-11-14T22:13:20Z");
  EXPECT_EQ(e.from, "Jane@Contoso.com");
  EXPECT_EQ(e.subject, "Hello");
  EXPECT_EQ(e.outcome, "queued");
  EXPECT_EQ(e.reason, "SenderMatch");
  EXPECT_EQ(e.correlation, "tracking_token");
  ASSERT_TRUE(e.regarding);
  EXPECT_EQ(e.regarding->id, "a-1");
  ASSERT_EQ(e.parties.size(), 1u);
  EXPECT_EQ(e.parties[0].entity, "contact");
  ASSERT_EQ(e.attachments.size(), 1u);
  EXPECT_EQ(e.warnings, std::vector<std::string>{"w1"});
  ASSERT_EQ(e.steps.size(), 1u);
  EXPECT_TRUE(e.error.empty());
  EXPECT_TRUE(e.activity_id.empty());
}

TEST(MakeEntry, LeavesDateAndFromEmptyWhenTheMessageHasNone) {
  const ReportEntry e = make_entry("s", "1", Message{}, Decision{});
  EXPECT_EQ(e.date, "");
  EXPECT_EQ(e.from, "");
  EXPECT_EQ(e.outcome, "tossed");
  EXPECT_EQ(e.correlation, "none");
}

// --- timestamps

TEST(IsoUtc, FormatsKnownInstants) {
  const struct {
    std::int64_t seconds;
    const char* iso;
  } cases[] = {
      {0, "1970-01-01T00:00:00Z"},
      {1700000000, "2023-11-14T22:13:20Z"},
      {-1, "1969-12-31T23:59:59Z"},
      {-86400 * 365, "1969-01-01T00:00:00Z"},
      {951782400, "2000-02-29T00:00:00Z"},
      {-2208988800, "1900-01-01T00:00:00Z"},
      {4102444799, "2099-12-31T23:59:59Z"},
      {253402300799, "9999-12-31T23:59:59Z"},
      {-62167219200, "0000-01-01T00:00:00Z"},
  };
  for (const auto& c : cases) EXPECT_EQ(iso_utc(c.seconds), c.iso) << c.seconds;
}

TEST(IsoUtc, IsEmptyOutsideFourDigitYears) {
  EXPECT_EQ(iso_utc(253402300800), "");
  EXPECT_EQ(iso_utc(-62167219201), "");
  EXPECT_EQ(iso_utc(INT64_MAX), "");
  EXPECT_EQ(iso_utc(INT64_MIN), "");
}

TEST(IsoNow, IsIsoUtcWithinThisCentury) {
  const std::string now = iso_now();
  EXPECT_TRUE(std::regex_match(now, std::regex(R"(20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ)"))) << now;
}

// --- JSON

TEST(JsonReport, EmitsEveryDocumentedKeyInOrder) {
  const auto doc = ordered_json::parse(to_json(test::sample_report()));
  EXPECT_EQ(keys_of(doc), (std::vector<std::string>{"run", "messages"}));
  EXPECT_EQ(keys_of(doc["run"]),
            (std::vector<std::string>{"command", "dry_run", "started", "finished", "elapsed_s",
                                      "messages", "messages_per_s", "totals"}));
  EXPECT_EQ(keys_of(doc["run"]["totals"]),
            (std::vector<std::string>{"pushed", "queued", "duplicate", "tossed", "quarantined",
                                      "failed"}));
  ASSERT_EQ(doc["messages"].size(), 3u);
  for (const auto& m : doc["messages"])
    EXPECT_EQ(keys_of(m), (std::vector<std::string>{
                              "source", "position", "message_id", "key", "date", "from",
                              "forwarded_by", "subject", "outcome", "reason", "correlation",
                              "regarding", "correlated_activity_id", "accepted_by", "parties",
                              "attachments", "warnings", "error", "activity_id", "queues",
                              "steps"}));
  const auto& q = doc["messages"][0];
  EXPECT_EQ(keys_of(q["regarding"]), (std::vector<std::string>{"entity", "id"}));
  EXPECT_EQ(keys_of(q["parties"][0]),
            (std::vector<std::string>{"role", "address", "entity", "id", "name"}));
  EXPECT_EQ(keys_of(q["attachments"][0]),
            (std::vector<std::string>{"filename", "bytes", "kept", "why"}));
  EXPECT_EQ(keys_of(q["steps"][0]), (std::vector<std::string>{"rule", "fired", "detail"}));
}

TEST(JsonReport, RunHasCountsTotalsAndThroughput) {
  const auto run = ordered_json::parse(to_json(test::sample_report()))["run"];
  EXPECT_EQ(run["command"], "import");
  EXPECT_EQ(run["dry_run"], true);
  EXPECT_EQ(run["elapsed_s"], 1.5);
  EXPECT_EQ(run["messages"], 3);
  EXPECT_EQ(run["messages_per_s"], 2.0);
  EXPECT_EQ(run["totals"]["queued"], 1);
  EXPECT_EQ(run["totals"]["failed"], 1);
  EXPECT_EQ(run["totals"]["tossed"], 1);
  EXPECT_EQ(run["totals"]["pushed"], 0);
}

TEST(JsonReport, WritesNullForAbsentValues) {
  const auto doc = ordered_json::parse(to_json(test::sample_report()));
  const auto& queued = doc["messages"][0];
  EXPECT_TRUE(queued["error"].is_null());
  EXPECT_TRUE(queued["activity_id"].is_null());
  EXPECT_EQ(queued["date"], "2026-05-01T10:00:00Z");
  EXPECT_EQ(queued["forwarded_by"], "adele.vance@fabrikam.com");
  EXPECT_EQ(queued["regarding"]["entity"], "opportunity");
  EXPECT_EQ(queued["parties"][0]["entity"], "contact");
  EXPECT_TRUE(queued["parties"][2]["entity"].is_null()) << "unresolved party";
  EXPECT_TRUE(queued["parties"][2]["id"].is_null());
  EXPECT_EQ(queued["attachments"][1]["kept"], false);
  EXPECT_EQ(queued["attachments"][1]["why"], "blocked extension .exe");

  const auto& failed = doc["messages"][1];
  EXPECT_TRUE(failed["date"].is_null());
  EXPECT_TRUE(failed["forwarded_by"].is_null()) << "not unwrapped";
  EXPECT_TRUE(failed["regarding"].is_null());
  EXPECT_EQ(failed["error"], "HTTP 503 from Dataverse after 3 tries");
  EXPECT_EQ(failed["activity_id"], "a-42");
  EXPECT_TRUE(failed["parties"].is_array() && failed["parties"].empty());
  EXPECT_TRUE(failed["attachments"].is_array() && failed["attachments"].empty());
  EXPECT_TRUE(failed["warnings"].is_array() && failed["warnings"].empty());
  EXPECT_TRUE(failed["steps"].is_array() && failed["steps"].empty());
}

TEST(JsonReport, ReplacesInvalidUtf8SoTheOutputIsValidJson) {
  const std::string json = to_json(test::sample_report());
  const auto doc = ordered_json::parse(json);  // throws on invalid UTF-8
  const std::string subject = doc["messages"][2]["subject"];
  EXPECT_NE(subject.find("\xEF\xBF\xBD"), std::string::npos) << "U+FFFD";
  EXPECT_EQ(subject.find('\xff'), std::string::npos);
}

TEST(JsonReport, WritesOneMessagePerLine) {
  const std::string json = to_json(test::sample_report());
  EXPECT_EQ(std::count(json.begin(), json.end(), '\n'), 3 + 3) << "run, \"messages\", 3 messages, end";
}

TEST(JsonReport, EmptyRunHasEmptyMessageArray) {
  const auto doc = ordered_json::parse(to_json(RunReport{}));
  EXPECT_TRUE(doc["messages"].is_array() && doc["messages"].empty());
  EXPECT_EQ(doc["run"]["messages_per_s"], 0.0);
  EXPECT_EQ(doc["run"]["totals"].size(), 6u);
}

TEST(JsonReport, RoundTripsThroughReadJson) {
  RunReport r = test::sample_report();
  r.messages.pop_back();  // the hostile entry's invalid UTF-8 does not survive, by design
  const auto back = read_json(to_json(r));
  ASSERT_OK(back);
  EXPECT_EQ(back->command, r.command);
  EXPECT_EQ(back->dry_run, r.dry_run);
  EXPECT_EQ(back->started, r.started);
  EXPECT_EQ(back->finished, r.finished);
  EXPECT_EQ(back->elapsed_s, r.elapsed_s);
  ASSERT_EQ(back->messages.size(), r.messages.size());
  for (std::size_t i = 0; i < r.messages.size(); ++i) expect_same(back->messages[i], r.messages[i]);
  EXPECT_EQ(to_json(*back), to_json(r));
}

TEST(JsonReport, GoldenFileReadsAndWritesBackByteForByte) {
  const std::string path = std::string(CRMR_TEST_DATA_DIR) + "/report/sample.json";
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << path;
  const std::string golden{std::istreambuf_iterator<char>(in), {}};
  const auto r = read_json(golden);
  ASSERT_OK(r);
  EXPECT_EQ(to_json(*r), golden);
  EXPECT_EQ(r->messages.size(), 3u);
}

TEST(ReadJson, RejectsWhatIsNotAReport) {
  const char* cases[] = {
      "",
      "{",
      "not json",
      "[]",
      "{}",
      R"({"run": {}})",
      R"({"run": {"command": "x", "dry_run": false, "started": "", "finished": "",
                  "elapsed_s": 0}, "messages": {}})",
      R"({"run": {"command": 1, "dry_run": false, "started": "", "finished": "",
                  "elapsed_s": 0}, "messages": []})",
  };
  for (const char* c : cases) {
    const auto r = read_json(c);
    ASSERT_FALSE(r) << c;
    EXPECT_ERROR_CODE(r, Code::ReportBadJson) << c;
    EXPECT_FALSE(r.error().hint.empty());
  }
}

TEST(ReadJson, NamesTheBrokenMessage) {
  auto doc = ordered_json::parse(to_json(test::sample_report()));
  doc["messages"][1].erase("outcome");
  const auto r = read_json(doc.dump());
  ASSERT_FALSE(r);
  EXPECT_ERROR_CODE(r, Code::ReportBadJson);
  EXPECT_NE(r.error().message.find("messages[1]"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("outcome"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace crmr
