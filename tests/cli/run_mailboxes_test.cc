// The report's mailbox list, end to end against a real Dovecot: a mailbox
// that refuses the login or cannot be reached is skipped, the others run,
// the exit status is 4, and every report of the run (the --report file in
// each format, the summary on stdout, and `crm-router report` afterwards)
// names the failed mailbox and its error. Skipped when dovecot is not
// installed.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "tests/cli/cli_harness.h"
#include "tests/cli/dovecot_fixture.h"
#include "tests/cli/run_fixture.h"

namespace crmr::test {
namespace {

using nlohmann::json;

std::string mail(int n) {
  return "From: alice@customer.example\r\nTo: bob@contoso.example\r\nSubject: note " +
         std::to_string(n) + "\r\nMessage-ID: <mb" + std::to_string(n) +
         "@customer.example>\r\nDate: Mon, 5 Jan 2026 10:00:00 +0000\r\n\r\nbody " +
         std::to_string(n) + "\r\n";
}

class RunMailboxesTest : public DovecotRunTest {
 protected:
  // A mailbox read whole and marked seen, logging in with the password in `pw_env`.
  std::string box(const std::string& name, const std::string& url,
                  const std::string& pw_env = "CRMR_TEST_PW") const {
    return mailbox(name, url, "all = true\nafter = \"seen\"", pw_env);
  }
  // A loopback port nobody listens on: one the kernel handed out, then closed.
  static std::string closed_port_url() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
    ::close(fd);
    return "imap://127.0.0.1:" + std::to_string(ntohs(a.sin_port));
  }
};

const json* find_mailbox(const json& run, const std::string& name) {
  for (const auto& m : run["mailboxes"])
    if (m["name"] == name) return &m;
  return nullptr;
}

TEST_F(RunMailboxesTest, FailedMailboxesAreInEveryReportAndTheOthersRun) {
  server_->deliver(user_, "g1", mail(1));
  server_->deliver(user_, "g2", mail(2));
  // The failing ones first: they must not stop the one after them.
  auto cfg = config(box("bad", server_->imap_url(), "CRMR_TEST_BAD_PW") +
                    box("down", closed_port_url()) + box("good", server_->imap_url()));
  auto r = run_cli({"--config", cfg, "--report", t_.file("r.json"), "run"});

  // Exit 4 (crm-router(1): a mailbox unreachable or authentication failed),
  // though the good mailbox's messages were processed.
  EXPECT_EQ(r.code, 4) << r.err;
  EXPECT_EQ(server_->flags(user_)["g1"], "S");  // good ran: both disposed of
  EXPECT_EQ(server_->flags(user_)["g2"], "S");

  const json report = json::parse(read_file(t_.file("r.json")));
  const json& run = report["run"];
  EXPECT_EQ(run["totals"]["queued"], 2);
  ASSERT_EQ(run["mailboxes"].size(), 3u) << run.dump();
  std::vector<std::string> names;
  for (const auto& m : run["mailboxes"]) names.push_back(m["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"bad", "down", "good"}));  // in the order read

  const json* bad = find_mailbox(run, "bad");
  ASSERT_TRUE(bad);
  EXPECT_EQ((*bad)["status"], "failed");
  EXPECT_EQ((*bad)["messages"], 0);
  ASSERT_TRUE((*bad)["error"].is_string()) << bad->dump();
  const std::string bad_error = (*bad)["error"];
  EXPECT_NE(bad_error.find("login refused by " + server_->imap_url()), std::string::npos)
      << bad_error;
  EXPECT_EQ(bad_error.find("wrong-password"), std::string::npos) << bad_error;  // never the secret

  const json* down = find_mailbox(run, "down");
  ASSERT_TRUE(down);
  EXPECT_EQ((*down)["status"], "failed");
  ASSERT_TRUE((*down)["error"].is_string());
  EXPECT_NE((*down)["error"].get<std::string>().find("cannot connect"), std::string::npos)
      << down->dump();

  const json* good = find_mailbox(run, "good");
  ASSERT_TRUE(good);
  EXPECT_EQ((*good)["status"], "ok");
  EXPECT_EQ((*good)["messages"], 2);
  EXPECT_GT((*good)["bytes"].get<std::uint64_t>(), 100u);
  EXPECT_FALSE((*good)["limit_reached"].get<bool>());
  EXPECT_TRUE((*good)["error"].is_null());

  // The summary on stdout lists them too, referring to the error shown on
  // stderr as it happened (printed once).
  EXPECT_NE(r.out.find("Mailboxes: 1 ok, 2 failed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  bad: failed, 0 messages, 0 bytes (error above)\n"), std::string::npos)
      << r.out;
  EXPECT_NE(r.err.find(bad_error), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find(bad_error), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  good: ok, 2 messages, "), std::string::npos) << r.out;

  // `crm-router report` of that run, in every format.
  auto text = run_cli({"--config", cfg, "report"});
  EXPECT_EQ(text.code, 0) << text.err;
  EXPECT_NE(text.out.find("Mailboxes: 1 ok, 2 failed"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("  bad: failed, 0 messages, 0 bytes; error: " + bad_error),
            std::string::npos)
      << text.out;

  auto js = run_cli({"--config", cfg, "report", "--format", "json"});
  ASSERT_EQ(js.code, 0) << js.err;
  const json stored = json::parse(js.out);
  EXPECT_EQ(stored["run"]["mailboxes"], run["mailboxes"]);
  EXPECT_EQ(stored["messages"].size(), 2u);

  auto html = run_cli({"--config", cfg, "report", "-o", t_.file("r.html")});
  ASSERT_EQ(html.code, 0) << html.err;
  const std::string page = read_file(t_.file("r.html"));
  EXPECT_NE(page.find("<section class=\"mailboxes\""), std::string::npos);
  EXPECT_NE(page.find("<tr class=\"mailbox-failed\"><td>bad</td>"), std::string::npos);
  EXPECT_NE(page.find("<tr class=\"mailbox-ok\"><td>good</td>"), std::string::npos);

  // CSV: one row per message only (documented: the mailbox list is not in it).
  auto csv = run_cli({"--config", cfg, "report", "-o", t_.file("r.csv")});
  ASSERT_EQ(csv.code, 0) << csv.err;
  const std::string rows = read_file(t_.file("r.csv"));
  EXPECT_EQ(std::count(rows.begin(), rows.end(), '\n'), 3);  // header + 2 messages
}

TEST_F(RunMailboxesTest, AllMailboxesOkIsExitZeroAndListsThem) {
  server_->deliver(user_, "o1", mail(11));
  auto cfg = config(box("first", server_->imap_url()) + box("second", server_->imap_url()));
  auto r = run_cli({"--config", cfg, "--report", t_.file("r.json"), "run"});
  EXPECT_EQ(r.code, 0) << r.err;
  const json run = json::parse(read_file(t_.file("r.json")))["run"];
  ASSERT_EQ(run["mailboxes"].size(), 2u);
  EXPECT_EQ(run["mailboxes"][0]["status"], "ok");
  EXPECT_EQ(run["mailboxes"][0]["messages"], 1);
  EXPECT_EQ(run["mailboxes"][1]["status"], "ok");
  EXPECT_EQ(run["mailboxes"][1]["messages"], 1);  // the same user's INBOX: a duplicate
  EXPECT_NE(r.out.find("Mailboxes: 2 ok"), std::string::npos) << r.out;
}

TEST_F(RunMailboxesTest, MailboxesAfterTheRunLimitAreListedAsSkipped) {
  server_->deliver(user_, "l1", mail(21));
  auto cfg = config(box("first", server_->imap_url()) + box("second", server_->imap_url()));
  auto r = run_cli({"--config", cfg, "--report", t_.file("r.json"), "run", "--limit", "1"});
  EXPECT_EQ(r.code, 0) << r.err;
  const json run = json::parse(read_file(t_.file("r.json")))["run"];
  ASSERT_EQ(run["mailboxes"].size(), 2u) << run.dump();
  EXPECT_EQ(run["mailboxes"][0]["status"], "ok");
  EXPECT_EQ(run["mailboxes"][1]["name"], "second");
  EXPECT_EQ(run["mailboxes"][1]["status"], "skipped");
  EXPECT_NE(r.out.find("  second: skipped"), std::string::npos) << r.out;
}

TEST_F(RunMailboxesTest, QuietRunStillNamesTheFailedMailboxOnStderrOnly) {
  auto cfg = config(box("bad", server_->imap_url(), "CRMR_TEST_BAD_PW"));
  auto r = run_cli({"--config", cfg, "-q", "run"});
  EXPECT_EQ(r.code, 4);
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find("mailbox bad"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace crmr::test
