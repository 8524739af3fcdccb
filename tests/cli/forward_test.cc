// A forward mailbox (crm-router(1) ROUTING, forward mailbox): a message forwarded as a
// message/rfc822 attachment is unwrapped, the inner message is routed, and
// the forwarding user's filtering method decides whether it is accepted. The
// same whichever way the mailbox is read: import --forward-mailbox, the
// [import] forward_mailbox key, explain --forward-mailbox, and `run` of a
// mailbox with role "forward" (against a real Dovecot; skipped without one).
// Real cache file, real database, the report as written.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_harness.h"
#include "tests/cli/dovecot_fixture.h"

namespace crmr::test {
namespace {

using nlohmann::json;

// Nestor takes no e-mail (filtering method 4); Megan (demo cache) takes all (0).
constexpr const char* kNestor = "nestor.wilke@contoso.example";
constexpr const char* kMegan = "megan.bowen@contoso.example";

// Jane Doe (a contact) to Omar Haddad (a contact, not a CRM user): the only
// CRM recipient it can have is the user who forwards it.
std::string inner(const std::string& id) {
  return "From: Jane Doe <jane.doe@fabrikam.example>\r\nTo: omar.haddad@fabrikam.example\r\n"
         "Subject: Site survey notes\r\nDate: Fri, 01 May 2026 10:00:00 +0000\r\n"
         "Message-ID: <" + id + ">\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n"
         "Notes from the site survey.\r\n";
}

// `by` forwards inner(id) as an attachment to the forward mailbox.
std::string forwarded(const std::string& by, const std::string& id) {
  return "From: " + by + "\r\nTo: crm-forward@contoso.example\r\nSubject: FW: Site survey notes\r\n"
         "Message-ID: <outer-" + id + ">\r\nDate: Fri, 01 May 2026 11:00:00 +0000\r\n"
         "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"o\"\r\n\r\n--o\r\n"
         "Content-Type: text/plain\r\n\r\nplease file\r\n--o\r\n"
         "Content-Type: message/rfc822\r\n\r\n" + inner(id) + "\r\n--o--\r\n";
}

// The demo cache plus Nestor, a CRM user whose filtering method is 4 (none).
class ForwardMailbox : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string cache = read_file(source_path("demo/cache.jsonl"));
    cache += std::string(R"({"entity": "systemuser", "systemuserid": )") +
             R"("5d7c1e0a-3b52-4c11-9e6f-0b4a2c8d7e10", "fullname": "Nestor Wilke", )" +
             R"("internalemailaddress": ")" + kNestor +
             R"(", "isdisabled": false, "incomingemailfilteringmethod": 4})" + "\n";
    db_ = t_.file("state.db");
    auto r = run_cli({"--db", db_, "cache", "import", t_.write("cache.jsonl", cache)});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    mbox_ = t_.write("fw.mbox", "From nestor Fri May  1 11:00:00 2026\n" +
                                    forwarded(kNestor, "survey-4@fabrikam.example") +
                                    "\nFrom megan Fri May  1 11:00:00 2026\n" +
                                    forwarded(kMegan, "survey-0@fabrikam.example") + "\n");
  }

  // `crm-router --report r.json ARGS...` (with --db unless ARGS name a --config).
  std::map<std::string, json> import(std::vector<std::string> args) {
    args.insert(args.begin(), {"--report", t_.file("r.json")});
    if (std::find(args.begin(), args.end(), "--config") == args.end())
      args.insert(args.begin(), {"--db", db_});
    auto r = run_cli(args);
    EXPECT_EQ(r.code, 0) << r.out << r.err;
    return report_by_id();
  }

  // The report's messages by inner (or, not unwrapped, outer) Message-ID.
  std::map<std::string, json> report_by_id() const {
    const json doc = json::parse(read_file(t_.file("r.json")));
    std::map<std::string, json> by_id;
    for (const auto& m : doc["messages"]) by_id[m["message_id"]] = m;
    return by_id;
  }

  static std::string step(const json& m, const std::string& rule) {
    std::string all;
    for (const auto& s : m["steps"])
      if (s["rule"] == rule) all += s["detail"].get<std::string>() + "\n";
    return all;
  }

  static void expect_forward_decisions(std::map<std::string, json> by_id) {
    const json& none = by_id["survey-4@fabrikam.example"];
    EXPECT_EQ(none["outcome"], "tossed") << none.dump();
    EXPECT_EQ(none["reason"], "FilteredOut");
    EXPECT_EQ(none["forwarded_by"], kNestor);
    const std::string why = step(none, "acceptance.recipient");
    EXPECT_NE(why.find(std::string("forwarded by ") + kNestor), std::string::npos) << why;
    EXPECT_NE(why.find("[filtering method 4]"), std::string::npos) << why;

    const json& all = by_id["survey-0@fabrikam.example"];
    EXPECT_EQ(all["outcome"], "queued") << all.dump();
    EXPECT_EQ(all["reason"], "AcceptAll");
    EXPECT_EQ(all["forwarded_by"], kMegan);
    const std::string how = step(all, "acceptance.recipient");
    EXPECT_NE(how.find(std::string("(forwarded by ") + kMegan + ") takes all e-mail"),
              std::string::npos)
        << how;
  }

  TempDir t_;
  std::string db_;
  std::string mbox_;
};

TEST_F(ForwardMailbox, ImportDecidesByTheForwardingUsersFilteringMethod) {
  expect_forward_decisions(import({"import", "--forward-mailbox", mbox_}));
}

TEST_F(ForwardMailbox, ConfigKeyDecidesAsTheOption) {
  const std::string cfg = t_.write(
      "c.toml", "db = \"" + db_ + "\"\nprogress = false\n[import]\nforward_mailbox = true\n");
  expect_forward_decisions(import({"--config", cfg, "import", mbox_}));
}

TEST_F(ForwardMailbox, WithoutTheOptionTheOuterMessageIsRoutedAsIs) {
  auto by_id = import({"import", mbox_});
  ASSERT_EQ(by_id.size(), 2u);
  const json& outer = by_id["outer-survey-0@fabrikam.example"];
  EXPECT_EQ(outer["outcome"], "tossed") << outer.dump();
  EXPECT_EQ(outer["reason"], "NoRecipientMatch") << "crm-forward@ is no CRM user or queue";
  EXPECT_TRUE(outer["forwarded_by"].is_null());
}

TEST_F(ForwardMailbox, ExplainShowsTheDecisionImportMakes) {
  const std::string one = t_.write("one.eml", forwarded(kNestor, "survey-4@fabrikam.example"));
  auto r = run_cli({"--db", db_, "explain", "--forward-mailbox", one});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find(std::string("Unwrapped: forwarded by ") + kNestor), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("=> tossed (FilteredOut)"), std::string::npos) << r.out;
}

// The same messages read from a mailbox with role "forward" by `run`.
TEST_F(ForwardMailbox, RunOfAForwardRoleMailboxDecidesTheSame) {
  ScopedDovecot server;
  if (!server.start()) GTEST_SKIP() << "dovecot is not installed";
  server.add_user("fwd", "right-password");
  ::setenv("CRMR_TEST_PW", "right-password", 1);
  server.deliver("fwd", "m4", forwarded(kNestor, "survey-4@fabrikam.example"));
  server.deliver("fwd", "m0", forwarded(kMegan, "survey-0@fabrikam.example"));
  const std::string cfg = t_.write(
      "c.toml", "db = \"" + db_ + "\"\nprogress = false\n" +
                    server.mailbox_toml("forward", "fwd", "CRMR_TEST_PW", "all = true\nrole = \"forward\"\n"));
  auto r = run_cli({"--config", cfg, "--report", t_.file("r.json"), "run"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  expect_forward_decisions(report_by_id());
}

}  // namespace
}  // namespace crmr::test
