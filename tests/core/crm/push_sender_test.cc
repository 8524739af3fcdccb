// routing.create_unknown_sender end to end against dataverse-sim: an accepted
// message from an address no record has gets a contact (or lead) made from
// its display name, once per sender however many messages it sent, found
// rather than made again when the CRM already has one, and never twice after
// a crash; the new record enters the local cache.
#include <gtest/gtest.h>

#include <string>

#include "cli/exit_codes.h"
#include "storage/store.h"
#include "tests/cli/cli_harness.h"
#include "tests/core/crm/sim_harness.h"

namespace crmr::test {
namespace {

std::string message(const std::string& from, const std::string& id, const std::string& subject) {
  return "From sender@example Fri May  1 10:00:00 2026\nFrom: " + from +
         "\nTo: megan.bowen@contoso.example\nSubject: " + subject +
         "\nDate: Fri, 01 May 2026 10:00:00 +0000\nMessage-ID: <" + id + ">\n\nHello\n\n";
}

// Two messages from Nora (a display name), one from Lee (none); Megan accepts all mail.
const std::string kMbox = message("Nora Quinn <nora.quinn@newcustomer.example>", "nq-1@newcustomer.example",
                                  "First order") +
                          message("\"Quinn, Nora\" <Nora.Quinn@newcustomer.example>", "nq-2@newcustomer.example",
                                  "Second order") +
                          message("lee@another.example", "lee-1@another.example", "A question");

// A state database with the demo cache and kMbox queued, creating `create` records.
struct Queued {
  TempDir dir;
  std::string db = dir.file("state.db");
  std::string config;
  Queued(const Sim& sim, const std::string& create) {
    config = dir.write("c.toml", "db = \"" + db + "\"\nprogress = false\n[routing]\ncreate_unknown_sender = \"" +
                                     create + "\"\n" + sim.crm_toml(4));
    EXPECT_EQ(run_cli({"--config", config, "cache", "import", source_path("demo/cache.jsonl")}).code, kExitOk);
    auto i = run_cli({"--config", config, "import", "--no-push", dir.write("in.mbox", kMbox)});
    EXPECT_EQ(i.code, kExitOk) << i.out << i.err;
  }
  CliResult push() { return run_cli({"--config", config, "push"}); }
};

// The records of `set` in the CRM whose emailaddress1 is `address`.
nlohmann::json records(const Sim& sim, const std::string& set, const std::string& address) {
  auto r = sim.call("GET", "/api/data/v9.2/" + set + "?$filter=emailaddress1%20eq%20'" + address + "'");
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  return j.is_object() ? j["value"] : nlohmann::json::array();
}

// The record the From party of the created e-mail `message_id` is bound to.
std::string sender_of(const Sim& sim, const std::string& message_id) {
  for (const auto& e : sim.created_emails())
    if (e.value("messageid", "") == "<" + message_id + ">")
      for (const auto& p : e["email_activity_parties"])
        if (p["participationtypemask"] == 1 && p["_partyid_value"].is_string()) return p["_partyid_value"];
  return "";
}

TEST(PushSender, EachUnknownSenderGetsOneContactThatAllItsMessagesAreFrom) {
  Sim sim({"--seed", source_path("demo/cache.jsonl")});
  ASSERT_GT(sim.port(), 0);
  Queued q(sim, "contact");
  // The import's report says which record push will make.
  auto imported = run_cli({"--config", q.config, "report", "--format", "json"});
  EXPECT_NE(imported.out.find("\"create\":\"contact\""), std::string::npos) << imported.out;

  auto r = q.push();
  ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
  auto nora = records(sim, "contacts", "nora.quinn@newcustomer.example");
  ASSERT_EQ(nora.size(), 1u) << nora.dump();
  EXPECT_EQ(nora[0]["firstname"], "Nora");
  EXPECT_EQ(nora[0]["lastname"], "Quinn");
  auto lee = records(sim, "contacts", "lee@another.example");
  ASSERT_EQ(lee.size(), 1u) << lee.dump();
  EXPECT_EQ(lee[0]["lastname"], "lee");
  const std::string nora_id = nora[0]["contactid"], lee_id = lee[0]["contactid"];
  EXPECT_EQ(sender_of(sim, "nq-1@newcustomer.example"), nora_id);
  EXPECT_EQ(sender_of(sim, "nq-2@newcustomer.example"), nora_id);
  EXPECT_EQ(sender_of(sim, "lee-1@another.example"), lee_id);

  // The local cache knows them now: later mail from Nora resolves to her.
  {
    auto store = Store::open(q.db, OpenMode::ReadOnly);
    ASSERT_TRUE(store);
    auto found = (*store)->records_by_address("nora.quinn@newcustomer.example");
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].entity, "contact");
    EXPECT_EQ(found[0].id, nora_id);
  }
  auto report = run_cli({"--config", q.config, "report", "--format", "json"});
  EXPECT_NE(report.out.find("contact " + nora_id + " created (unknown sender)"), std::string::npos) << report.out;

  // Pushed again: nothing new.
  EXPECT_EQ(q.push().code, kExitOk);
  EXPECT_EQ(records(sim, "contacts", "nora.quinn@newcustomer.example").size(), 1u);
  EXPECT_EQ(sim.received_message_ids().size(), 3u);
}

TEST(PushSender, LeadsWhenAskedAndARecordTheCrmAlreadyHasIsUsed) {
  Sim sim({"--seed", source_path("demo/cache.jsonl")});
  // The CRM has a lead for Lee (second address) that the local cache does not know.
  auto seeded = sim.call("POST", "/_sim/seed",
                         R"({"entity": "lead", "leadid": "aaaaaaaa-1111-0000-0000-000000000001", "fullname": "Lee Park", "emailaddress1": "lee.park@another.example", "emailaddress2": "lee@another.example", "statecode": 0})"
                         "\n");
  ASSERT_EQ(seeded.status, 200) << seeded.body;
  Queued q(sim, "lead");
  auto r = q.push();
  ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
  auto nora = records(sim, "leads", "nora.quinn@newcustomer.example");
  ASSERT_EQ(nora.size(), 1u);
  // Its topic: the subject of whichever of Nora's messages got there first.
  const std::string topic = nora[0].value("subject", "");
  EXPECT_TRUE(topic == "First order" || topic == "Second order") << topic;
  EXPECT_EQ(sender_of(sim, "nq-2@newcustomer.example"), nora[0]["leadid"]);
  EXPECT_EQ(sender_of(sim, "lee-1@another.example"), "aaaaaaaa-1111-0000-0000-000000000001");
  EXPECT_TRUE(records(sim, "leads", "lee@another.example").empty());  // none made for Lee
}

TEST(PushSender, KilledAroundTheCreateMakesNoSecondRecord) {
  for (const char* point : {"push_sender_before:1", "push_sender_after:1"}) {
    SCOPED_TRACE(point);
    Sim sim({"--seed", source_path("demo/cache.jsonl")});
    Queued q(sim, "contact");
    ASSERT_EQ(push_crashing_at(q.config, point), kCrashed);
    auto r = q.push();
    EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
    auto nora = records(sim, "contacts", "nora.quinn@newcustomer.example");
    ASSERT_EQ(nora.size(), 1u);
    EXPECT_EQ(sender_of(sim, "nq-1@newcustomer.example"), nora[0]["contactid"]);
    EXPECT_EQ(records(sim, "contacts", "lee@another.example").size(), 1u);
    for (const auto& [id, n] : sim.received_message_ids()) EXPECT_EQ(n, 1) << id;
    EXPECT_EQ(sim.received_message_ids().size(), 3u);
  }
}

TEST(PushSender, ServerModeLeavesRecordCreationToTheCrm) {
  Sim sim({"--seed", source_path("demo/cache.jsonl")});
  TempDir dir;
  Queued q(sim, "contact");
  std::string config = read_file(q.config) + "mode = \"server\"\n";
  q.config = dir.write("server.toml", config);
  auto r = q.push();
  EXPECT_NE(r.code, kExitConfig) << r.out << r.err;
  EXPECT_TRUE(records(sim, "contacts", "nora.quinn@newcustomer.example").empty());
}

}  // namespace
}  // namespace crmr::test
