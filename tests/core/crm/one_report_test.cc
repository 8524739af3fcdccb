// One invocation, one report: `import` (and `run`, `quarantine retry`) that
// push at the end of their batch report every message of the run with the
// push's outcome (pushed with the activity id, quarantined with the CRM's
// error, still queued) in place of "queued", next to the tossed and
// duplicate ones; one summary on the terminal; one run in the history.
// `push` on its own stays a run of its own. Run as an administrator would,
// against dataverse-sim.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <set>

#include "cli/exit_codes.h"
#include "tests/cli/cli_harness.h"
#include "tests/core/crm/sim_harness.h"

namespace crmr::test {
namespace {

using nlohmann::json;

std::size_t count_of(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

std::map<std::string, int> outcomes(const json& messages) {
  std::map<std::string, int> n;
  for (const auto& m : messages) ++n[m["outcome"].get<std::string>()];
  return n;
}

// A folder with a config for `sim` and the demo cache imported.
struct Admin {
  TempDir dir;
  std::string db = dir.file("state.db");
  std::string config;

  Admin(const Sim& sim, const std::string& crm_extra = {}, int concurrency = 4) {
    config = dir.write("crm-router.toml", "db = \"" + db + "\"\nprogress = false\n" +
                                              sim.crm_toml(concurrency, crm_extra));
    EXPECT_EQ(cli({"cache", "import", source_path("demo/cache.jsonl")}).code, kExitOk);
  }
  CliResult cli(std::vector<std::string> args) {
    args.insert(args.begin(), {"--config", config});
    return run_cli(args);
  }
  json report_json(const std::string& run = {}) {
    std::vector<std::string> args = {"report", "--format", "json"};
    if (!run.empty()) args.insert(args.end(), {"--run", run});
    auto r = cli(args);
    EXPECT_EQ(r.code, kExitOk) << r.err;
    return json::parse(r.out, nullptr, false);
  }
};

TEST(OneReport, ImportThatPushesReportsEveryMessageWithThePushOutcome) {
  Sim sim({"--seed", source_path("demo/cache.jsonl")});
  ASSERT_GT(sim.port(), 0);
  Admin a(sim);
  const std::string file = a.dir.file("import.json");
  auto r = a.cli({"--report", file, "import", source_path("demo/demo.mbox")});
  // The demo quarantines one unparseable message on purpose.
  ASSERT_EQ(r.code, kExitPartial) << r.out << r.err;

  // One summary, with the push's outcome in it.
  EXPECT_EQ(count_of(r.out, " messages in "), 1u) << r.out;
  EXPECT_NE(r.out.find("35 messages in "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(": 21 pushed, 0 queued, 2 duplicate, 11 tossed, 1 quarantined, 0 failed"),
            std::string::npos)
      << r.out;

  // The report file: every message of the run, the accepted ones pushed with
  // the activity id the CRM gave them, the tossed and duplicate ones still there.
  json doc = json::parse(read_file(file), nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  ASSERT_EQ(doc["messages"].size(), 35u);
  EXPECT_EQ(outcomes(doc["messages"]),
            (std::map<std::string, int>{{"pushed", 21}, {"duplicate", 2}, {"tossed", 11},
                                        {"quarantined", 1}}));
  EXPECT_EQ(doc["run"]["totals"]["pushed"], 21);
  EXPECT_EQ(doc["run"]["totals"]["queued"], 0);
  EXPECT_EQ(doc["run"]["command"], "import");
  EXPECT_GT(doc["run"]["id"].get<std::int64_t>(), 0);
  std::set<std::string> in_crm;
  for (const auto& e : sim.created_emails()) in_crm.insert(e["activityid"].get<std::string>());
  ASSERT_EQ(in_crm.size(), 21u);
  std::set<std::string> reported;
  for (const auto& m : doc["messages"]) {
    if (m["outcome"] == "pushed") {
      ASSERT_TRUE(m["activity_id"].is_string()) << m.dump();
      reported.insert(m["activity_id"].get<std::string>());
    } else {
      EXPECT_TRUE(m["activity_id"].is_null()) << m.dump();
    }
  }
  EXPECT_EQ(reported, in_crm);
  // Reading order kept: positions #1..#35.
  for (std::size_t i = 0; i < doc["messages"].size(); ++i)
    EXPECT_EQ(doc["messages"][i]["position"], "#" + std::to_string(i + 1));

  // The history holds the same: one run, no separate push run.
  auto list = a.cli({"report", "--list"});
  EXPECT_EQ(count_of(list.out, "\n"), 1u) << list.out;
  EXPECT_EQ(count_of(list.out, "\timport\t"), 1u) << list.out;
  // Its status counts the push's outcome: the one quarantined message.
  EXPECT_EQ(count_of(list.out, "\timport\tpartial\t"), 1u) << list.out;
  EXPECT_NE(list.out.find("1 message quarantined or failed"), std::string::npos) << list.out;
  json hist = a.report_json();
  EXPECT_EQ(hist["messages"], doc["messages"]);
  EXPECT_EQ(hist["run"]["totals"], doc["run"]["totals"]);

  // The text report: a header row, the position, pushed next to tossed.
  auto text = a.cli({"report"});
  EXPECT_EQ(text.out.rfind("POSITION     OUTCOME     REASON", 0), 0u) << text.out;
  EXPECT_NE(text.out.find("\n#1           "), std::string::npos) << text.out;
  EXPECT_NE(text.out.find(" pushed      "), std::string::npos) << text.out;
  EXPECT_NE(text.out.find(" tossed      "), std::string::npos) << text.out;
  for (const auto& id : in_crm) EXPECT_NE(text.out.find("  activity " + id), std::string::npos) << id;

  // `push` on its own stays a run of its own (nothing left: nothing recorded).
  auto p = a.cli({"push"});
  EXPECT_EQ(p.code, kExitOk) << p.err;
  EXPECT_EQ(count_of(a.cli({"report", "--list"}).out, "\n"), 1u);
}

// An e-mail for Megan Bowen (accepts all) from a contact, with an attachment
// named `attachment`.
std::string mail_with(const std::string& id, const std::string& attachment) {
  return "From: Jane Doe <jane.doe@fabrikam.example>\r\n"
         "To: Megan Bowen <megan.bowen@contoso.example>\r\n"
         "Subject: Survey results " + id + "\r\n"
         "Date: Mon, 02 Nov 2026 09:00:00 +0000\r\n"
         "Message-ID: <" + id + ">\r\n"
         "MIME-Version: 1.0\r\n"
         "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
         "--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n"
         "--b\r\nContent-Type: application/octet-stream\r\n"
         "Content-Disposition: attachment; filename=\"" + attachment + "\"\r\n"
         "Content-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n--b--\r\n";
}

TEST(OneReport, RefusedAndStillQueuedMessagesSayWhyInTheRunsReport) {
  // The CRM blocks .xyz (the local cache does not know it) and fails the
  // first message's create once (request 2: request 1 is the duplicate check
  // of all three); one attempt per message, one message at a time.
  TempDir seed;
  std::string org = seed.write("org.jsonl", R"({"entity":"organization","blockedattachments":"exe;xyz"})" "\n");
  Sim sim({"--seed", source_path("demo/cache.jsonl"), "--seed", org, "--fault", "503@2"});
  ASSERT_GT(sim.port(), 0);
  Admin a(sim, "max_attempts = 1\n", 1);
  std::filesystem::create_directories(a.dir.file("in"));  // three messages, read in name order
  a.dir.write("in/1.eml", mail_with("first@fabrikam.example", "a.txt"));
  a.dir.write("in/2.eml", mail_with("refused@fabrikam.example", "notes.xyz"));
  a.dir.write("in/3.eml", mail_with("fine@fabrikam.example", "b.txt"));
  const std::string file = a.dir.file("r.json");
  auto r = a.cli({"--report", file, "import", a.dir.file("in")});
  EXPECT_EQ(r.code, kExitPartial) << r.out << r.err;
  EXPECT_EQ(count_of(r.out, " messages in "), 1u) << r.out;
  EXPECT_NE(r.out.find(": 1 pushed, 1 queued, 0 duplicate, 0 tossed, 1 quarantined"),
            std::string::npos)
      << r.out;

  json doc = json::parse(read_file(file), nullptr, false);
  ASSERT_EQ(doc["messages"].size(), 3u) << doc.dump();
  std::map<std::string, json> by_id;
  for (const auto& m : doc["messages"]) by_id[m["message_id"].get<std::string>()] = m;
  EXPECT_EQ(by_id["first@fabrikam.example"]["outcome"], "queued");
  EXPECT_NE(by_id["first@fabrikam.example"]["error"].get<std::string>().find("503"),
            std::string::npos);
  EXPECT_EQ(by_id["refused@fabrikam.example"]["outcome"], "quarantined");
  EXPECT_NE(by_id["refused@fabrikam.example"]["error"].get<std::string>().find("0x80043e09"),
            std::string::npos);
  EXPECT_EQ(by_id["fine@fabrikam.example"]["outcome"], "pushed");
  EXPECT_TRUE(by_id["fine@fabrikam.example"]["activity_id"].is_string());
  EXPECT_EQ(a.report_json()["messages"], doc["messages"]);

  // The message left queued goes with the next import's push, in that run's
  // report, saying which run queued it; the first run's report is unchanged.
  std::filesystem::create_directories(a.dir.file("more"));
  a.dir.write("more/4.eml", mail_with("later@fabrikam.example", "c.txt"));
  auto again = a.cli({"--report", file, "import", a.dir.file("more")});
  EXPECT_EQ(again.code, kExitOk) << again.out << again.err;
  EXPECT_NE(again.out.find("2 messages in "), std::string::npos) << again.out;
  EXPECT_NE(again.out.find(": 2 pushed, 0 queued"), std::string::npos) << again.out;
  json second = json::parse(read_file(file), nullptr, false);
  ASSERT_EQ(second["messages"].size(), 2u);
  EXPECT_EQ(second["messages"][0]["message_id"], "later@fabrikam.example");
  EXPECT_EQ(second["messages"][1]["message_id"], "first@fabrikam.example");
  EXPECT_EQ(second["messages"][1]["outcome"], "pushed");
  const std::string first_run = std::to_string(doc["run"]["id"].get<std::int64_t>());
  EXPECT_NE(second["messages"][1]["warnings"].dump().find("queued by run " + first_run),
            std::string::npos)
      << second["messages"][1].dump();
  EXPECT_EQ(a.report_json(first_run)["messages"], doc["messages"]);
}

}  // namespace
}  // namespace crmr::test
