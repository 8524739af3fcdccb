// Queue items, record creation rules and the correlation fields of the
// e-mail, end to end against dataverse-sim: the demo's accepted mail lands in
// each queue that accepted it exactly once, through crashes at every step and
// SIGKILLs at random, in both ways of making queue items (in the change set,
// AddToQueue after it); the rule of the demo's Support queue makes one case
// per e-mail when [crm] apply_record_rules is on.
#include <gtest/gtest.h>

#include <fcntl.h>

#include <algorithm>
#include <random>
#include <set>
#include <thread>

#include "cli/exit_codes.h"
#include "core/report/report.h"
#include "tests/cli/cli_harness.h"
#include "tests/core/crm/sim_harness.h"

namespace crmr::test {
namespace {

constexpr const char* kSupport = "9aa2c38b-9e43-5e6b-bc3e-087113180a46";
constexpr const char* kSales = "c5a85d5f-0393-5631-92aa-96c58259a615";
constexpr const char* kPriya = "5c662c76-d713-504e-9665-e1c15a28c6e7";  // contact, writes to Support

std::vector<std::string> demo_sim_args() {
  return {"--seed", source_path("demo/cache.jsonl"), "--seed",
          source_path("tests/data/dataverse_sim/demo_case_rule.jsonl")};
}

// A folder with a config for `sim`, the demo cache imported and `mbox` queued.
struct Queued {
  TempDir dir;
  std::string config;

  Queued(const Sim& sim, const std::string& mbox, const std::string& extra = {}) {
    config = dir.write("crm.toml", "db = \"" + dir.file("state.db") + "\"\nprogress = false\n" +
                                       sim.crm_toml(4, "max_attempts = 10\n" + extra));
    auto c = run_cli({"--config", config, "cache", "import", source_path("demo/cache.jsonl")});
    EXPECT_EQ(c.code, 0) << c.err;
    auto i = run_cli({"--config", config, "import", "--no-push", mbox});
    EXPECT_NE(i.code, kExitConfig) << i.err;
  }
  CliResult push() { return run_cli({"--config", config, "push"}); }
  // The pushed entries of every run's report, by the e-mail's messageid (the last one wins).
  std::map<std::string, ReportEntry> pushed() const {
    std::map<std::string, ReportEntry> out;
    for (int run = 1; run <= 40; ++run) {
      auto r = run_cli({"--config", config, "report", "--run", std::to_string(run), "--format", "json"});
      if (r.code != 0) continue;
      auto rep = read_json(r.out);
      if (!rep) continue;
      for (auto& e : rep->messages)
        if (e.outcome == "pushed")  // by the messageid push gives it (crm-router.invalid without one)
          out["<" + (e.message_id.empty() ? e.key + "@crm-router.invalid" : e.message_id) + ">"] = e;
    }
    return out;
  }
};

// activityid -> messageid of the e-mails crm-router created.
std::map<std::string, std::string> created(const Sim& sim) {
  std::map<std::string, std::string> out;
  for (const auto& e : sim.created_emails()) out[e.value("activityid", "")] = e.value("messageid", "");
  return out;
}

// Every created e-mail is in exactly the queues `want` names for its
// messageid (each once), and no queue holds anything else.
void expect_queues(const Sim& sim, const std::map<std::string, std::set<std::string>>& want,
                   const std::string& context) {
  const auto emails = created(sim);
  const auto items = sim.queue_items();
  for (const auto& [activity, queues] : items) {
    ASSERT_TRUE(emails.contains(activity)) << context << ": a queue item for " << activity;
    std::vector<std::string> sorted = queues;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end())
        << context << ": " << emails.at(activity) << " is in a queue twice";
  }
  for (const auto& [activity, messageid] : emails) {
    std::set<std::string> got;
    if (auto it = items.find(activity); it != items.end()) got.insert(it->second.begin(), it->second.end());
    auto w = want.find(messageid);
    EXPECT_EQ(got, w == want.end() ? std::set<std::string>{} : w->second) << context << ": " << messageid;
  }
}

// The queues each pushed message's decision accepted it by, by messageid.
std::map<std::string, std::set<std::string>> accepting_queues(const std::map<std::string, ReportEntry>& pushed) {
  std::map<std::string, std::set<std::string>> out;
  for (const auto& [id, e] : pushed)
    for (const auto& a : e.accepted_by)
      if (a.entity == "queue") out[id].insert(a.id);
  return out;
}

TEST(PushQueues, TheDemoLandsInEachAcceptingQueueOnceWithItsCorrelationFields) {
  Sim sim(demo_sim_args());
  ASSERT_GT(sim.port(), 0);
  Queued q(sim, source_path("demo/demo.mbox"));
  auto r = q.push();
  ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
  const auto pushed = q.pushed();
  ASSERT_EQ(pushed.size(), 21u);
  const auto want = accepting_queues(pushed);
  expect_queues(sim, want, "first push");

  // The support queue: the messages the demo sends to support@ (#10, #11,
  // #13, #35); Sales: its contacts' messages (#14, #18, #20).
  std::size_t support = 0, sales = 0;
  for (const auto& [id, queues] : want) {
    support += queues.contains(kSupport);
    sales += queues.contains(kSales);
  }
  EXPECT_EQ(support, 4u);
  EXPECT_EQ(sales, 3u);
  // The report's entry names them, with the queue item.
  for (const auto& [id, e] : pushed) {
    std::set<std::string> named;
    for (const auto& item : e.queues) {
      named.insert(item.queue_id);
      EXPECT_FALSE(item.item_id.empty()) << id;
      EXPECT_EQ(item.queue, item.queue_id == kSupport ? "Support" : "Sales") << id;
    }
    EXPECT_EQ(named, want.contains(id) ? want.at(id) : std::set<std::string>{}) << id;
  }
  auto text = run_cli({"--config", q.config, "-v", "report"});
  EXPECT_NE(text.out.find("in queue Support"), std::string::npos) << text.out;

  // Correlation and acceptance, as the Web API takes them on create.
  std::size_t correlated = 0, parents = 0, accepted_by_queue = 0;
  for (const auto& e : sim.created_emails()) {
    const ReportEntry& d = pushed.at(e.value("messageid", ""));
    const auto field = [&](const char* name) { return e.value(name, nlohmann::json()).is_string() ? e.value(name, std::string()) : std::string(); };
    if (d.correlation != "none") {
      ++correlated;
      EXPECT_EQ(field("_correlatedactivityid_value"), d.correlated_activity_id) << d.message_id;
      const bool parent = d.correlation == "in_reply_to" || d.correlation == "conversation_index";
      parents += parent;
      EXPECT_EQ(field("_parentactivityid_value"), parent ? d.correlated_activity_id : "") << d.message_id;
    } else {
      EXPECT_EQ(field("_correlatedactivityid_value"), "") << d.message_id;
    }
    const bool by_queue = !d.accepted_by.empty() && d.accepted_by[0].entity == "queue";
    accepted_by_queue += by_queue;
    EXPECT_EQ(field("_acceptingentityid_value"), by_queue ? d.accepted_by[0].id : "") << d.message_id;
  }
  EXPECT_EQ(correlated, 8u);
  EXPECT_EQ(parents, 3u);  // two In-Reply-To/References, one conversation index
  EXPECT_GE(accepted_by_queue, 7u);
  EXPECT_EQ(sim.stats()["cases_created"], 0) << "apply_record_rules is off";

  // Nothing is queued again, nothing is put in a queue again.
  auto again = q.push();
  EXPECT_EQ(again.code, kExitOk);
  expect_queues(sim, want, "second push");
}

TEST(PushQueues, OffMakesNoQueueItems) {
  Sim sim(demo_sim_args());
  Queued q(sim, source_path("demo/demo.mbox"), "queue_items = false\n");
  auto dry = run_cli({"--config", q.config, "--dry-run", "push"});
  EXPECT_EQ(dry.out.find("into queue"), std::string::npos) << dry.out;
  ASSERT_EQ(q.push().code, kExitOk);
  EXPECT_EQ(sim.received_message_ids().size(), 21u);
  EXPECT_TRUE(sim.queue_items().empty());
}

TEST(PushQueues, AddToQueueAfterTheChangeSetLandsTheSame) {
  Sim sim(demo_sim_args());
  Queued q(sim, source_path("demo/demo.mbox"), "queue_items_in_batch = false\n");
  auto dry = run_cli({"--config", q.config, "--dry-run", "push"});
  EXPECT_NE(dry.out.find("; into queue Support"), std::string::npos) << dry.out;
  auto r = q.push();
  ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
  const auto pushed = q.pushed();
  const auto want = accepting_queues(pushed);
  expect_queues(sim, want, "AddToQueue");
  std::size_t items = 0;
  for (const auto& [id, queues] : want) items += queues.size();
  EXPECT_EQ(sim.stats()["queue_items"], items) << "one AddToQueue per queue, no lookups needed";
  q.push();
  expect_queues(sim, accepting_queues(pushed), "AddToQueue, second push");
}

TEST(PushQueues, RecordCreationRulesMakeOneCaseRegardingTheSendersContact) {
  Sim sim(demo_sim_args());
  Queued q(sim, source_path("demo/demo.mbox"), "apply_record_rules = true\n");
  auto r = q.push();
  ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
  // The rule: e-mail in Support from a contact. Of the four Support messages
  // only #35 (Priya Natarajan) is from a contact.
  auto cases = sim.records("incidents");
  std::vector<nlohmann::json> made;
  for (const auto& c : cases)
    if (c.value("caseorigincode", 0) == 2) made.push_back(c);
  ASSERT_EQ(made.size(), 1u);
  EXPECT_EQ(made[0]["_customerid_value"], kPriya);
  EXPECT_EQ(made[0]["title"], "Quick question about licences");
  bool regarding = false;
  for (const auto& e : sim.created_emails())
    if (e.value("_regardingobjectid_value", nlohmann::json()) == made[0]["incidentid"]) {
      regarding = true;
      EXPECT_EQ(e["_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname"], "incident");
    }
  EXPECT_TRUE(regarding);
  EXPECT_EQ(sim.stats()["rules_applied"], 21) << "every pushed e-mail goes through the rules";
  // The report says so per message.
  std::size_t applied = 0;
  for (const auto& [id, e] : q.pushed())
    applied += std::count(e.warnings.begin(), e.warnings.end(), std::string("record creation rules applied"));
  EXPECT_EQ(applied, 21u);
  q.push();
  EXPECT_EQ(sim.stats()["cases_created"], 1);
}

TEST(PushQueues, AFailingRuleIsANoteAndTheEmailStays) {
  Sim sim(demo_sim_args());
  TempDir mail;
  const std::string mbox = mail.write(
      "one.mbox", "From priya@tailspin.example Fri May  1 10:00:00 2026\nFrom: priya@tailspin.example\n"
                  "To: support@contoso.example\nSubject: Rules down\nMessage-ID: <rules-down@tailspin.example>\n\n"
                  "Hello\n");
  Queued q(sim, mbox, "apply_record_rules = true\n");
  // Requests: the duplicate check, the $batch, then the rules (refused).
  sim.call("POST", "/_sim/faults", R"({"faults": "403@3"})");
  auto r = q.push();
  EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
  ASSERT_EQ(sim.received_message_ids().size(), 1u);
  auto pushed = q.pushed();
  ASSERT_EQ(pushed.size(), 1u);
  const auto& warnings = pushed.begin()->second.warnings;
  ASSERT_FALSE(warnings.empty());
  EXPECT_NE(warnings.back().find("record creation rules failed (the e-mail is in the CRM)"), std::string::npos)
      << warnings.back();
  EXPECT_EQ(sim.queue_items().size(), 1u);
}

// Killed at each step of the queue items and the rules (and around the
// change set), the next push leaves every e-mail once, in each of its queues
// once, and one case for the contact's Support message.
TEST(PushQueues, KilledAtEveryStepLandsEverythingExactlyOnce) {
  struct Case {
    const char* point;
    const char* extra;
  };
  const Case cases[] = {{"push_queue_before", "queue_items_in_batch = false\n"},
                        {"push_queue_after", "queue_items_in_batch = false\n"},
                        {"push_rules_before", ""},
                        {"push_rules_after", ""},
                        {"push_before", ""},
                        {"push_after", ""}};
  for (const auto& c : cases) {
    for (int n : {1, 4}) {
      const std::string point = std::string(c.point) + ":" + std::to_string(n);
      SCOPED_TRACE(point);
      Sim sim(demo_sim_args());
      Queued q(sim, source_path("demo/demo.mbox"), std::string("apply_record_rules = true\n") + c.extra);
      EXPECT_EQ(push_crashing_at(q.config, point), kCrashed);
      auto r = q.push();
      EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
      auto ids = sim.received_message_ids();
      EXPECT_EQ(ids.size(), 21u);
      for (const auto& [id, count] : ids) EXPECT_EQ(count, 1) << id;
      expect_queues(sim, accepting_queues(q.pushed()), point);
      EXPECT_EQ(sim.stats()["cases_created"], 1);
    }
  }
}

// `n` messages from contact Priya to the Support queue.
std::string to_support(const TempDir& dir, int n) {
  return numbered_mbox(dir, "support.mbox", n, "Priya Natarajan <priya@tailspin.example>",
                       "support@contoso.example", "Ticket", "queue-kill-", "@tailspin.example");
}

// 20 SIGKILLs while a push is under way, then one to the end: each message in
// the CRM once, in Support once, with one case.
TEST(PushQueues, TwentyKillsDuringThePushLeaveEachMessageInItsQueueOnceWithOneCase) {
  for (const char* mode : {"", "queue_items_in_batch = false\n"}) {
    SCOPED_TRACE(*mode ? "AddToQueue" : "change set");
    std::vector<std::string> args = demo_sim_args();
    args.insert(args.end(), {"--fault", "every:delay:10/1"});
    Sim sim(args);
    TempDir mail;
    const int n = 200;
    Queued q(sim, to_support(mail, n), std::string("apply_record_rules = true\n") + mode);
    std::mt19937 rng(20261207);
    // Whether some kill landed while the push was under way (some messages
    // in the CRM, others not yet); on a fast machine the last rounds may
    // find nothing left to push.
    bool mid_push = false;
    const int kills = kill_pushes(q.config, 20, rng, 30, [&](int) {
      for (const auto& [activity, queues] : sim.queue_items()) ASSERT_EQ(queues.size(), 1u) << activity;
      const auto landed = sim.received_message_ids().size();
      mid_push = mid_push || (landed > 0 && landed < static_cast<std::size_t>(n));
    });
    EXPECT_EQ(kills, 20);
    EXPECT_TRUE(mid_push) << "no kill landed while messages were still queued";
    auto r = q.push();
    EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
    auto ids = sim.received_message_ids();
    ASSERT_EQ(ids.size(), static_cast<std::size_t>(n));
    for (const auto& [id, count] : ids) EXPECT_EQ(count, 1) << id;
    std::map<std::string, std::set<std::string>> want;
    for (const auto& [id, count] : ids) want[id] = {kSupport};
    expect_queues(sim, want, "after 20 kills");
    // One case per e-mail, each e-mail regarding its own.
    std::set<std::string> regarding;
    for (const auto& e : sim.created_emails())
      if (e.value("_regardingobjectid_value", nlohmann::json()).is_string())
        regarding.insert(e["_regardingobjectid_value"].get<std::string>());
    EXPECT_EQ(regarding.size(), static_cast<std::size_t>(n));
    EXPECT_EQ(sim.stats()["cases_created"], n);
    // Some of them were found already there by a later push: the resume path
    // looked their queue items and regarding up instead of making them again.
    std::size_t found = 0;
    for (const auto& [id, e] : q.pushed())
      found += std::count(e.warnings.begin(), e.warnings.end(),
                          std::string("already in the CRM (same messageid): not created again"));
    EXPECT_GT(found, 0u);
  }
}

TEST(PushQueues, ServerModePutsTheDeliveredEmailInItsQueuesOnce) {
  Sim sim(demo_sim_args());
  Queued q(sim, source_path("demo/demo.mbox"), "mode = \"server\"\n");
  auto r = q.push();
  EXPECT_NE(r.code, kExitConfig) << r.out << r.err;
  const auto pushed = q.pushed();
  ASSERT_FALSE(pushed.empty());
  expect_queues(sim, accepting_queues(pushed), "server mode");
  q.push();
  expect_queues(sim, accepting_queues(pushed), "server mode, second push");
}

}  // namespace
}  // namespace crmr::test
