// Mail between CRM users end to end: the simulator holds Carol's sent
// e-mail to Bob (tracked by the CRM, as Outlook or Server-Side Sync tracks
// it); `sync` reads the organisation's ignoreinternalemail, and Bob's copy
// is imported and pushed. "Track emails sent between users as two
// activities" (ignoreinternalemail off): Bob's copy lands as a second,
// received e-mail with the same messageid, exactly once also when pushed
// again. One activity (on): Bob's copy is a duplicate; nothing is created.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/exit_codes.h"
#include "tests/cli/cli_harness.h"
#include "tests/core/crm/sim_harness.h"

namespace crmr::test {
namespace {

constexpr char kSentId[] = "<weekly-2026-48@contoso.example>";

std::string seed(bool ignore_internal_email) {
  return std::string("{\"entity\": \"organization\", \"ignoreinternalemail\": ") +
         (ignore_internal_email ? "true" : "false") +
         "}\n"
         "{\"entity\": \"systemuser\", \"systemuserid\": \"7d1e0c3a-0001-4000-8000-000000000001\", "
         "\"fullname\": \"Carol Jones\", \"internalemailaddress\": \"carol@contoso.example\", "
         "\"isdisabled\": false, \"incomingemailfilteringmethod\": 0}\n"
         "{\"entity\": \"systemuser\", \"systemuserid\": \"7d1e0c3a-0002-4000-8000-000000000002\", "
         "\"fullname\": \"Bob Smith\", \"internalemailaddress\": \"bob@contoso.example\", "
         "\"isdisabled\": false, \"incomingemailfilteringmethod\": 1}\n"
         "{\"entity\": \"email\", \"activityid\": \"5e0a1b2c-0003-4000-8000-000000000003\", "
         "\"messageid\": \"" + std::string(kSentId) + "\", \"subject\": \"Weekly numbers\", "
         "\"directioncode\": true, \"torecipients\": \"bob@contoso.example\", \"ccrecipients\": \"\"}\n";
}

const char* kBobsCopy =
    "From: Carol Jones <carol@contoso.example>\r\n"
    "To: Bob Smith <bob@contoso.example>\r\n"
    "Subject: Weekly numbers\r\n"
    "Message-ID: <weekly-2026-48@contoso.example>\r\n"
    "Date: Mon, 23 Nov 2026 09:00:00 +0000\r\n"
    "\r\n"
    "The numbers are in.\r\n";

struct Crm {
  explicit Crm(bool ignore_internal_email)
      : seed_file(dir.write("seed.jsonl", seed(ignore_internal_email))), sim({"--seed", seed_file}) {
    config = dir.write("crm.toml", "db = \"" + dir.file("s.db") + "\"\nprogress = false\n" + sim.crm_toml());
    eml = dir.write("bob.eml", kBobsCopy);
  }
  // Copies of the message in the simulator: sent and received.
  std::pair<int, int> copies() const {
    int sent = 0, received = 0;
    for (const auto& e : sim.emails())
      if (e.value("messageid", std::string{}) == kSentId) (e.value("directioncode", false) ? sent : received)++;
    return {sent, received};
  }
  nlohmann::json entry() {
    auto rep = run_cli({"--config", config, "report", "--format", "json"});
    auto j = nlohmann::json::parse(rep.out, nullptr, false);
    return j.is_object() && !j["messages"].empty() ? j["messages"][0] : nlohmann::json{};
  }

  TempDir dir;
  std::string seed_file;
  Sim sim;
  std::string config, eml;
};

TEST(TwoActivities, TheRecipientsCopyLandsAsASecondReceivedEmail) {
  Crm s(/*ignore_internal_email=*/false);
  ASSERT_GT(s.sim.port(), 0);
  auto sync = run_cli({"--config", s.config, "sync"});
  ASSERT_EQ(sync.code, kExitOk) << sync.out << sync.err;
  EXPECT_EQ(s.copies(), (std::pair{1, 0}));

  auto r = run_cli({"--config", s.config, "import", s.eml});
  EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
  auto e = s.entry();
  EXPECT_EQ(e.value("outcome", ""), "pushed") << e.dump();
  EXPECT_EQ(e.value("reason", ""), "InternalEmailSecondActivity") << e.dump();
  EXPECT_EQ(s.copies(), (std::pair{1, 1}));

  // Pushed again (after a crash, or by another recipient's mailbox): still two.
  r = run_cli({"--config", s.config, "forget", "--message-id", "weekly-2026-48@contoso.example"});
  ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
  r = run_cli({"--config", s.config, "import", s.eml});
  EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_EQ(s.copies(), (std::pair{1, 1}));
}

TEST(TwoActivities, OneActivityLeavesOnlyTheSendersCopy) {
  Crm s(/*ignore_internal_email=*/true);
  ASSERT_GT(s.sim.port(), 0);
  ASSERT_EQ(run_cli({"--config", s.config, "sync"}).code, kExitOk);
  auto r = run_cli({"--config", s.config, "import", s.eml});
  EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
  auto e = s.entry();
  EXPECT_EQ(e.value("outcome", ""), "duplicate") << e.dump();
  EXPECT_EQ(s.copies(), (std::pair{1, 0}));
}

}  // namespace
}  // namespace crmr::test
