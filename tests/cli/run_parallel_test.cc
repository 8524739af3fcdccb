// `run` over several mailboxes at once ([run] parallel_mailboxes), end to end
// against a real Dovecot: the same decisions, report and database as one
// mailbox after another; a mailbox whose server accepts the connection and
// never answers holds up no other (they are committed and disposed of while
// it waits) and is reported as transient once its timeout passes. Skipped
// when dovecot is not installed.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/engine/mailbox_cursor.h"
#include "tests/cli/cli_harness.h"
#include "tests/cli/run_fixture.h"

namespace crmr::test {
namespace {

using nlohmann::json;

std::string mail(const std::string& box, int n) {
  return "From: alice@customer.example\r\nTo: bob@contoso.example\r\nSubject: " + box + " " +
         std::to_string(n) + "\r\nMessage-ID: <" + box + "-" + std::to_string(n) +
         "@customer.example>\r\nDate: Mon, 5 Jan 2026 10:00:00 +0000\r\n\r\nbody\r\n";
}

// A loopback server that accepts connections and never says a word: a
// stalled mail server. Closed (and its thread joined) when destroyed.
class SilentServer {
 public:
  SilentServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    EXPECT_EQ(::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len), 0);
    port_ = ntohs(a.sin_port);
  }
  ~SilentServer() { ::close(fd_); }
  std::string url() const { return "imap://127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;  // the kernel completes the handshakes from its backlog; nobody reads
  int port_ = 0;
};

class RunParallelTest : public DovecotRunTest {
 protected:
  // Mailbox `name`: a user of its own with `n` messages.
  std::string user_box(const std::string& name, int n, const std::string& extra = "after = \"seen\"") {
    const std::string user = user_ + name;
    mail_server()->add_user(user, "right-password");
    users_[name] = user;
    for (int i = 1; i <= n; ++i) mail_server()->deliver(user, "m" + std::to_string(i), mail(name, i));
    return "[[mailbox]]\nname = \"" + name + "\"\nurl = \"" + mail_server()->imap_url() +
           "\"\nuser = \"" + user + "\"\npassword_env = \"CRMR_TEST_PW\"\nstarttls = \"off\"\n"
           "all = true\nbatch_size = 3\n" + extra + "\n";
  }
  std::string config_with(const std::string& db, const std::string& run_table,
                          const std::string& boxes, const std::string& file) {
    return t_.write(file, "db = \"" + db + "\"\nprogress = false\njobs = 2\n" + run_table + boxes);
  }
  // The messages' (source, position, outcome, reason), sorted: what was decided.
  static std::vector<std::string> decisions(const json& report) {
    std::vector<std::string> out;
    for (const auto& m : report["messages"])
      out.push_back(m.value("source", "") + " " + m.value("position", "") + " " +
                    m.value("outcome", "") + " " + m.value("reason", ""));
    std::sort(out.begin(), out.end());
    return out;
  }
  std::map<std::string, std::string> users_;
};

TEST_F(RunParallelTest, OneOrEightAtOnceGiveTheSameDecisionsReportAndDatabase) {
  const std::vector<std::string> names = {"b1", "b2", "b3", "b4", "b5", "b6"};
  std::string boxes;
  for (std::size_t i = 0; i < names.size(); ++i)
    boxes += user_box(names[i], 2 + static_cast<int>(i), "after = \"leave\"");
  const std::string db1 = db_;
  const std::string db8 = t_.file("state8.db");
  ASSERT_EQ(run_cli({"--db", db8, "cache", "import",
                     std::string(CRMR_TEST_DATA_DIR) + "/mailbox/cache.jsonl"}).code, 0);
  const std::string c1 = config_with(db1, "[run]\nparallel_mailboxes = 1\n", boxes, "c1.toml");
  const std::string c8 = config_with(db8, "[run]\nparallel_mailboxes = 8\n", boxes, "c8.toml");

  auto r1 = run_cli({"--config", c1, "--report", t_.file("r1.json"), "run"});
  ASSERT_EQ(r1.code, 0) << r1.err;
  auto r8 = run_cli({"--config", c8, "--report", t_.file("r8.json"), "run"});
  ASSERT_EQ(r8.code, 0) << r8.err;
  const json one = json::parse(read_file(t_.file("r1.json")));
  const json eight = json::parse(read_file(t_.file("r8.json")));

  // Decisions: every message of every mailbox, decided alike.
  EXPECT_EQ(decisions(one).size(), 2u + 3 + 4 + 5 + 6 + 7);
  EXPECT_EQ(decisions(one), decisions(eight));
  EXPECT_EQ(one["run"]["totals"], eight["run"]["totals"]);
  // The report's mailbox list: configuration order, same lines.
  ASSERT_EQ(eight["run"]["mailboxes"].size(), names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    const json& a = one["run"]["mailboxes"][i];
    const json& b = eight["run"]["mailboxes"][i];
    EXPECT_EQ(b["name"], names[i]);
    EXPECT_EQ(b["status"], "ok");
    EXPECT_EQ(a["messages"], b["messages"]);
    EXPECT_EQ(a["bytes"], b["bytes"]);
  }
  // The summary names the mailboxes in configuration order too.
  std::size_t at = 0;
  for (const auto& n : names) {
    auto p = r8.out.find(n, at);
    EXPECT_NE(p, std::string::npos) << n << " in order in:\n" << r8.out;
    if (p != std::string::npos) at = p;
  }
  // The database: the same ledger, quarantine and cursors.
  auto s1 = Store::open(db1, OpenMode::ReadOnly);
  auto s8 = Store::open(db8, OpenMode::ReadOnly);
  ASSERT_TRUE(s1 && s8);
  EXPECT_EQ((*(*s1)->cache_stats())["ledger"], (*(*s8)->cache_stats())["ledger"]);
  EXPECT_EQ((*(*s1)->cache_stats())["quarantine"], (*(*s8)->cache_stats())["quarantine"]);
  EXPECT_EQ(*(*s1)->outbox_pending_count(), *(*s8)->outbox_pending_count());
  for (const auto& n : names) {
    auto a = load_cursor(**s1, n, "INBOX");
    auto b = load_cursor(**s8, n, "INBOX");
    ASSERT_TRUE(a && b && *a && *b) << n;
    EXPECT_EQ((*a)->last_uid, (*b)->last_uid) << n;
    EXPECT_EQ((*a)->uidvalidity, (*b)->uidvalidity) << n;
  }
}

TEST_F(RunParallelTest, AStalledServerHoldsUpNoOtherMailboxAndIsReportedAsTransient) {
  SilentServer silent;
  const int timeout_s = 6;
  // The stalled one first: the others must not wait for it.
  std::string boxes = "[[mailbox]]\nname = \"stalled\"\nurl = \"" + silent.url() +
                      "\"\nuser = \"x\"\npassword_env = \"CRMR_TEST_PW\"\nstarttls = \"off\"\n"
                      "all = true\ntimeout_s = " + std::to_string(timeout_s) + "\n";
  boxes += user_box("g1", 4) + user_box("g2", 5);
  const std::string cfg = config_with(db_, "", boxes, "c.toml");  // the default: 8 at once

  std::atomic<bool> finished{false};
  CliResult r;
  const auto t0 = std::chrono::steady_clock::now();
  std::jthread runner([&] {
    r = run_cli({"--config", cfg, "--report", t_.file("r.json"), "run"});
    finished = true;
  });
  // The good mailboxes' messages are marked seen (committed, then disposed
  // of) while the stalled server still has the run waiting.
  bool all_seen = false;
  while (!finished && !all_seen) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    all_seen = count_flag(mail_server()->flags(users_["g1"]), 'S') == 4 &&
               count_flag(mail_server()->flags(users_["g2"]), 'S') == 5;
  }
  const auto seen_after = std::chrono::steady_clock::now() - t0;
  EXPECT_TRUE(all_seen);
  EXPECT_FALSE(finished) << "the others were done only when the stalled one gave up";
  EXPECT_LT(seen_after, std::chrono::seconds(timeout_s));
  runner.join();

  EXPECT_EQ(r.code, 4) << r.err;  // a mailbox unreachable
  const json rep = report();
  ASSERT_EQ(rep["run"]["mailboxes"].size(), 3u);
  const json& stalled = rep["run"]["mailboxes"][0];
  EXPECT_EQ(stalled["name"], "stalled");
  EXPECT_EQ(stalled["status"], "failed");
  const std::string why = stalled.value("error", "");
  EXPECT_NE(why.find("transient"), std::string::npos) << why;
  EXPECT_EQ(rep["run"]["mailboxes"][1]["status"], "ok");
  EXPECT_EQ(rep["run"]["mailboxes"][2]["status"], "ok");
  EXPECT_EQ(rep["run"]["mailboxes"][1]["messages"], 4);
  EXPECT_EQ(rep["run"]["mailboxes"][2]["messages"], 5);
  EXPECT_NE(r.err.find("stalled"), std::string::npos) << r.err;
}

TEST_F(RunParallelTest, AtMostTheConfiguredConnectionsToOneServer) {
  // Eight mailboxes on one server, two connections at most: all are read.
  std::string boxes;
  for (int i = 1; i <= 8; ++i) boxes += user_box("h" + std::to_string(i), 2);
  const std::string cfg =
      config_with(db_, "[run]\nparallel_mailboxes = 8\nmax_connections_per_server = 2\n", boxes, "c.toml");
  auto r = run(cfg);
  ASSERT_EQ(r.code, 0) << r.err;
  const json rep = report();
  ASSERT_EQ(rep["run"]["mailboxes"].size(), 8u);
  for (int i = 1; i <= 8; ++i) {
    EXPECT_EQ(rep["run"]["mailboxes"][i - 1]["name"], "h" + std::to_string(i));
    EXPECT_EQ(rep["run"]["mailboxes"][i - 1]["messages"], 2);
    EXPECT_EQ(count_flag(mail_server()->flags(users_["h" + std::to_string(i)]), 'S'), 2);
  }
}

}  // namespace
}  // namespace crmr::test
