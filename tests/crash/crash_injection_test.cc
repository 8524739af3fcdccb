// Crash injection end to end: `crm-router run` (with two jobs) against a real
// Dovecot (after = move:Processed, quarantine_folder = Quarantine) and
// dataverse-sim is ended abruptly at every crash point (core/base/crash_point.h,
// CRMR_CRASH_AT) and at several occurrences of each, then run again without
// the switch. Afterwards the state must equal that of a run that never
// crashed: every accepted message exactly once in the CRM, in each queue that
// accepted it exactly once, one case from the Support queue's record creation
// rule ([crm] apply_record_rules), every source
// message in the same folder (the unparseable one in Quarantine even when
// the rerun found it in the ledger as a duplicate), no pending outbox row,
// the same ledger and quarantine, the cursor at the end, and no temporary
// file next to the database. Skipped without dovecot.
// Each case runs with [run] parallel_mailboxes = 1 (the mailbox read on the
// thread that commits) and = 8 (read on a mailbox thread that hands every
// message to the single writer and disposes of a batch only once the writer
// has committed it); the second with fewer occurrences per point.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "core/engine/mailbox_cursor.h"
#include "core/report/report.h"
#include "core/sources/open_source.h"
#include "storage/store.h"
#include "tests/cli/cli_harness.h"
#include "tests/cli/dovecot_fixture.h"
#include "tests/core/crm/sim_harness.h"
#include "tests/support/result_matchers.h"

namespace crmr::test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPoints[] = {"fetch",         "parse",        "commit",      "dispose_before",
                                   "dispose_after", "cursor_before", "cursor_after", "push_before",
                                   "push_after",    "outbox_done",   "push_rules_before",
                                   "push_rules_after"};
constexpr int kCrashed = 137;  // the exit status of crash_point

// What one case leaves behind, compared with the reference run.
struct Outcome {
  std::map<std::string, int> in_crm;  // created e-mails by messageid
  std::map<std::string, std::vector<std::string>> queues;  // messageid -> its queue items' queues, sorted
  int cases = -1;                      // cases the record creation rule made
  std::size_t inbox = 0;
  std::size_t processed = 0;
  std::size_t quarantine_folder = 0;
  bool quarantined_refetched = false;  // a rerun found the quarantined message in the ledger
  std::int64_t ledger = -1;
  std::int64_t quarantine = -1;
  std::int64_t pending = -1;
  std::int64_t cursor_uid = -1;
  std::vector<std::string> stray_files;  // next to the database
};

std::size_t count_files(const std::string& maildir) {
  std::size_t n = 0;
  for (const char* sub : {"/new", "/cur"}) {
    std::error_code ec;
    for (auto it = fs::directory_iterator(maildir + sub, ec); !ec && it != fs::directory_iterator(); ++it) ++n;
  }
  return n;
}

class CrashInjection : public ::testing::TestWithParam<int> {
 protected:
  static void SetUpTestSuite() {
    server_ = new Dovecot;
    if (!server_->start()) {
      delete server_;
      server_ = nullptr;
      return;
    }
    auto src = open_source(source_path("demo/demo.mbox"));
    ASSERT_OK(src);
    while (true) {
      auto m = (*src)->next();
      ASSERT_TRUE(m);
      if (!m->has_value()) break;
      messages_.push_back((*m)->bytes);
    }
  }
  static void TearDownTestSuite() {
    if (server_) server_->stop();
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    if (!server_) GTEST_SKIP() << "dovecot is not installed";
    ::setenv("CRMR_TEST_PW", "pw", 1);
  }

  // One case from a fresh state: a new Dovecot user holding the demo mailbox,
  // a new simulator seeded with the demo CRM, a new database. `crash_at`
  // empty is the reference run. Sets `crashed` when the first run died at
  // the crash point.
  Outcome run_case(const std::string& crash_at, bool& crashed) {
    static int n = 0;
    const std::string user = "c" + std::to_string(::getpid()) + "x" + std::to_string(++n);
    server_->add_user(user, "pw");
    for (std::size_t i = 0; i < messages_.size(); ++i)
      server_->deliver(user, "m" + std::to_string(1000 + i), messages_[i]);

    Sim sim({"--seed", source_path("demo/cache.jsonl"), "--seed",
             source_path("tests/data/dataverse_sim/demo_case_rule.jsonl")});
    EXPECT_GT(sim.port(), 0);
    TempDir state, logs;
    const std::string db = state.file("state.db");
    // Two jobs on any machine: workers parse and decide ahead of the
    // ordered stage that commits, disposes and moves the cursor.
    const std::string config = logs.write(
        "c.toml", "db = \"" + db + "\"\nprogress = false\njobs = 2\n[run]\nparallel_mailboxes = " +
                      std::to_string(GetParam()) + "\n" +
                      sim.crm_toml(4, "apply_record_rules = true\n") +
                      "\n[[mailbox]]\nname = \"inbox\"\nurl = \"" + server_->imap_url() +
                      "\"\nuser = \"" + user + "\"\npassword_env = \"CRMR_TEST_PW\"\n"
                      "tls_ca_file = \"" + server_->ca_file() + "\"\nall = true\n"
                      "after = \"move:Processed\"\nquarantine_folder = \"Quarantine\"\n"
                      "batch_size = 10\n");
    const std::string log = logs.file("log.txt");
    auto imported = run_cli({"--config", config, "cache", "import", source_path("demo/cache.jsonl")});
    EXPECT_EQ(imported.code, 0) << imported.err;

    crashed = false;
    if (!crash_at.empty()) {
      int rc = run_binary({"--config", config, "run"}, crash_at, log);
      crashed = rc == kCrashed;
      EXPECT_TRUE(rc == kCrashed || rc == 0 || rc == 1) << crash_at << ": exit " << rc << "\n"
                                                        << read_file(log);
    }
    // Run again (twice: the second finds nothing new) without the switch.
    for (int i = 0; i < 2; ++i) {
      int rc = run_binary({"--config", config, "run"}, "", log);
      EXPECT_TRUE(rc == 0 || rc == 1) << crash_at << ": rerun exit " << rc << "\n" << read_file(log);
    }

    Outcome o;
    o.in_crm = sim.received_message_ids();
    std::map<std::string, std::string> message_of;
    for (const auto& e : sim.created_emails()) message_of[e.value("activityid", "")] = e.value("messageid", "");
    for (auto& [activity, queues] : sim.queue_items()) {
      std::sort(queues.begin(), queues.end());
      o.queues[message_of[activity]] = queues;
    }
    o.cases = sim.stats()["cases_created"].get<int>();
    o.inbox = count_files(server_->maildir(user));
    o.processed = count_files(server_->maildir(user, "Processed"));
    o.quarantine_folder = count_files(server_->maildir(user, "Quarantine"));
    // Before the store is opened here: a read-only connection keeps a -wal.
    for (const auto& e : fs::directory_iterator(state.file("")))
      if (e.path().filename() != "state.db" && e.path().filename() != "state.db.lock")
        o.stray_files.push_back(e.path().filename().string());
    {
      auto store = Store::open(db, OpenMode::ReadOnly);
      EXPECT_OK(store);
      if (store) {
        auto stats = (*store)->cache_stats();
        if (stats) {
          o.ledger = (*stats)["ledger"];
          o.quarantine = (*stats)["quarantine"];
        }
        auto pending = (*store)->outbox_pending_count();
        if (pending) o.pending = *pending;
        auto cursor = load_cursor(**store, "inbox", "INBOX");
        if (cursor && *cursor) o.cursor_uid = (*cursor)->last_uid;
        auto quarantined = (*store)->quarantine_list();
        auto runs = (*store)->list_runs(10);
        if (quarantined && quarantined->size() == 1 && runs) {
          for (const auto& run : *runs) {
            auto st = (*store)->for_each_run_entry(run.id, [&](const std::string& js) -> Status {
              auto e = entry_from_json(js);
              if (e && e->key == quarantined->front().key && e->outcome == "duplicate")
                o.quarantined_refetched = true;
              return {};
            });
            EXPECT_OK(st);
          }
        }
      }
    }
    return o;
  }

  static Dovecot* server_;
  static std::vector<std::string> messages_;
};
Dovecot* CrashInjection::server_ = nullptr;
std::vector<std::string> CrashInjection::messages_;

TEST_P(CrashInjection, ACrashAtAnyStepLosesAndDoublesNothing) {
  const bool parallel = GetParam() > 1;
  bool crashed = false;
  const Outcome ref = run_case("", crashed);
  // The demo: 35 messages, 21 accepted, one unparseable (quarantined, moved
  // to Quarantine), the rest moved to Processed.
  ASSERT_EQ(messages_.size(), 35u);
  ASSERT_EQ(ref.in_crm.size(), 21u);
  for (const auto& [id, count] : ref.in_crm) ASSERT_EQ(count, 1) << id;
  // Support's 4 and Sales' 3 messages, each once in its queue; Priya's
  // message to Support made a case.
  std::size_t items = 0;
  for (const auto& [id, queues] : ref.queues) {
    items += queues.size();
    ASSERT_EQ(std::adjacent_find(queues.begin(), queues.end()), queues.end()) << id;
  }
  ASSERT_EQ(items, 7u);
  ASSERT_EQ(ref.cases, 1);
  ASSERT_EQ(ref.inbox, 0u);
  ASSERT_EQ(ref.quarantine_folder, 1u);
  ASSERT_EQ(ref.processed, messages_.size() - 1);
  ASSERT_FALSE(ref.quarantined_refetched);
  ASSERT_EQ(ref.pending, 0);
  ASSERT_EQ(ref.cursor_uid, static_cast<std::int64_t>(messages_.size()));
  ASSERT_TRUE(ref.stray_files.empty()) << ref.stray_files.front();

  // Once per message (35 fetched, 21 pushed): a spread of occurrences up to
  // the last. Once per batch (batch_size 10: 4 batches, 5 cursor saves):
  // every occurrence, and one more, which is a run that never reaches it.
  std::vector<std::string> cases;
  for (const char* p : kPoints) {
    const std::string point = p;
    const bool per_batch = point == "commit" || point.starts_with("dispose") || point.starts_with("cursor");
    std::vector<int> ns = per_batch                         ? std::vector<int>{1, 2, 3, 4, 5, 6}
                          : point.starts_with("push_rules") ? std::vector<int>{1, 5, 21}
                                                            : std::vector<int>{1, 2, 3, 5, 8, 13, 21, 34};
    // The second pass keeps the first and last occurrences (and the one
    // past the last per batch) and a middle one: its cost stays small.
    if (parallel)
      ns = per_batch                         ? std::vector<int>{1, 4, 5, 6}
           : point.starts_with("push_rules") ? std::vector<int>{1, 21}
                                             : std::vector<int>{1, 13, 34};
    for (int n : ns) cases.push_back(point + ":" + std::to_string(n));
  }
  // Steps of any kind: interleavings the named points do not single out.
  for (int n : parallel ? std::vector<int>{40, 110} : std::vector<int>{7, 40, 75, 110, 150})
    cases.push_back(std::to_string(n));

  int fired = 0, refetched = 0;
  std::map<std::string, int> last_fired;  // point -> highest N that crashed
  for (const auto& c : cases) {
    SCOPED_TRACE("CRMR_CRASH_AT=" + c);
    const Outcome o = run_case(c, crashed);
    if (crashed) {
      ++fired;
      auto colon = c.find(':');
      std::string point = colon == std::string::npos ? "any" : c.substr(0, colon);
      int n = std::atoi(c.c_str() + (colon == std::string::npos ? 0 : colon + 1));
      last_fired[point] = std::max(last_fired[point], n);
    }
    std::set<std::string> want, got;
    for (const auto& [id, count] : ref.in_crm) want.insert(id);
    for (const auto& [id, count] : o.in_crm) {
      got.insert(id);
      EXPECT_EQ(count, 1) << id << " is in the CRM " << count << " times";
    }
    EXPECT_EQ(got, want);
    EXPECT_EQ(o.queues, ref.queues) << "each accepted message in each of its queues exactly once";
    EXPECT_EQ(o.cases, ref.cases) << "one case, made once";
    // Every message where the clean run put it: a refetched quarantined one
    // (a duplicate now) in Quarantine, not moved by `after` to Processed.
    EXPECT_EQ(o.inbox, ref.inbox);
    EXPECT_EQ(o.processed, ref.processed);
    EXPECT_EQ(o.quarantine_folder, ref.quarantine_folder);
    refetched += o.quarantined_refetched;
    EXPECT_EQ(o.ledger, ref.ledger);
    EXPECT_EQ(o.quarantine, ref.quarantine);
    EXPECT_EQ(o.pending, 0);
    // The cursor passes only UIDs a run listed and read: after a crash
    // between a batch's move and its cursor, the rerun finds those UIDs gone
    // from the folder and leaves the cursor below them (the next message read
    // moves it on). Never past the clean run's.
    EXPECT_LE(o.cursor_uid, ref.cursor_uid);
    EXPECT_GE(o.cursor_uid, ref.cursor_uid - 10);  // at most one batch (batch_size 10) behind
    for (const auto& f : o.stray_files) ADD_FAILURE() << "left next to the database: " << f;
  }
  // Every point was reached, and the per-batch ones at every occurrence.
  for (const char* p : kPoints) EXPECT_GE(last_fired[p], 1) << p << " was never reached";
  for (const char* p : {"commit", "dispose_before", "dispose_after"}) EXPECT_EQ(last_fired[p], 4) << p;
  for (const char* p : {"cursor_before", "cursor_after"}) EXPECT_EQ(last_fired[p], 5) << p;
  std::printf("crash injection: %zu cases, %d crashed at their point and recovered\n", cases.size(), fired);
  std::printf("  in %d cases the rerun refetched the quarantined message (a duplicate) and\n"
              "  moved it to Quarantine, as the clean run did\n", refetched);
  // The crashes between commit and dispose of its batch must have hit it.
  EXPECT_GE(refetched, 1);
  for (const auto& [point, n] : last_fired) std::printf("  %-18s up to N = %d\n", point.c_str(), n);
}

INSTANTIATE_TEST_SUITE_P(ParallelMailboxes, CrashInjection, ::testing::Values(1, 8),
                         [](const ::testing::TestParamInfo<int>& i) {
                           return "parallel_mailboxes_" + std::to_string(i.param);
                         });

}  // namespace
}  // namespace crmr::test
