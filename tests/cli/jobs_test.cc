// --jobs: parsing on worker threads changes nothing but the speed. An import
// of the whole corpus with one job and with two gives the same exit status,
// the same report (every entry, in the same order) and the same database rows,
// timestamps aside; so does a dry run, and a --limit that stops in the middle.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "cli/wiring.h"
#include "core/engine/pipeline.h"
#include "core/engine/worker_cache.h"
#include "core/sources/open_source.h"
#include "tests/cli/admin_harness.h"
#include "tests/cli/cli_harness.h"

namespace crmr::test {
namespace {

using nlohmann::json;

// Values that say when, not what: left out of the comparison.
bool is_time_column(const std::string& name) {
  return name == "at" || name == "created_at" || name == "updated_at" || name == "started" ||
         name == "finished";
}

// Times and durations inside stored JSON and the summary text.
std::string without_times(std::string s) {
  static const std::regex iso(R"(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?Z?)");
  static const std::regex secs(R"(\"(elapsed_s|messages_per_s)\":\s*[0-9.eE+-]+)");
  static const std::regex rate(R"(in [0-9.]+ s \([0-9,.]+/s\))");  // the summary line
  s = std::regex_replace(s, iso, "<time>");
  s = std::regex_replace(s, rate, "in <time>");
  return std::regex_replace(s, secs, "\"$1\":0");
}

// Every row of every table of the database at `path`, one line per row in
// rowid (or key) order, time columns left out. The cache tables are the same
// input in both runs; they are compared too.
std::vector<std::string> dump_database(const std::string& path) {
  std::vector<std::string> lines;
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  std::vector<std::string> tables;
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", -1,
                     &st, nullptr);
  while (sqlite3_step(st) == SQLITE_ROW)
    tables.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  sqlite3_finalize(st);
  for (const auto& t : tables) {
    if (t.starts_with("sqlite_")) continue;
    const std::string sql = "SELECT * FROM \"" + t + "\" ORDER BY 1, 2";
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << t;
    std::size_t rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
      std::string line = t + ":";
      for (int c = 0; c < sqlite3_column_count(st); ++c) {
        const std::string name = sqlite3_column_name(st, c);
        if (is_time_column(name)) continue;
        const unsigned char* v = sqlite3_column_text(st, c);
        line += " " + name + "=" +
                without_times(v ? std::string(reinterpret_cast<const char*>(v),
                                              static_cast<std::size_t>(sqlite3_column_bytes(st, c)))
                                : "NULL");
      }
      lines.push_back(std::move(line));
      ++rows;
    }
    sqlite3_finalize(st);
    lines.push_back(t + ": " + std::to_string(rows) + " rows");
  }
  sqlite3_close(db);
  return lines;
}

struct Imported {
  int code = -1;
  std::string summary;
  json report;
  std::vector<std::string> rows;
};

// Queues that take every message, at the addresses of mailing lists the
// corpus's messages were sent to: many of them are queued then, with their
// bytes in the outbox, instead of tossed for want of a CRM recipient.
constexpr char kListQueues[] =
    R"({"entity": "queue", "queueid": "00000000-0000-0000-0000-000000000001", "name": "fork", "emailaddress": "fork@spamassassin.taint.org", "incomingemailfilteringmethod": 0, "statecode": 0}
{"entity": "queue", "queueid": "00000000-0000-0000-0000-000000000002", "name": "ilug", "emailaddress": "ilug@linux.ie", "incomingemailfilteringmethod": 0, "statecode": 0}
{"entity": "queue", "queueid": "00000000-0000-0000-0000-000000000003", "name": "rpm", "emailaddress": "rpm-zzzlist@freshrpms.net", "incomingemailfilteringmethod": 0, "statecode": 0}
{"entity": "queue", "queueid": "00000000-0000-0000-0000-000000000004", "name": "exmh", "emailaddress": "exmh-users@spamassassin.taint.org", "incomingemailfilteringmethod": 0, "statecode": 0}
)";

// A fresh database in `t` holding the demo CRM and the list queues.
std::string seeded_db(const TempDir& t) {
  const std::string db = t.file("state.db");
  for (const std::string& file : {source_path("demo/cache.jsonl"), t.write("lists.jsonl", kListQueues)}) {
    auto cache = run_cli({"--db", db, "cache", "import", file});
    EXPECT_EQ(cache.code, 0) << cache.err;
  }
  return db;
}

// `import` of `paths` into a fresh seeded_db().
Imported import_with(const std::string& jobs, const std::vector<std::string>& paths,
                     std::vector<std::string> extra = {}) {
  TempDir t;
  const std::string db = seeded_db(t);
  std::vector<std::string> args = {"--db", db, "--report", t.file("r.json"), "--no-progress"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.insert(args.end(), {"import", "--jobs", jobs});
  args.insert(args.end(), paths.begin(), paths.end());
  auto r = run_cli(args);
  Imported out;
  out.code = r.code;
  out.summary = without_times(r.out);
  out.report = json::parse(read_file(t.file("r.json")), nullptr, false);
  // The header says when the run was and how long it took; the rest must match.
  for (const char* k : {"started", "finished", "elapsed_s", "messages_per_s"})
    if (out.report.is_object() && out.report.contains("run")) out.report["run"].erase(k);
  out.report = json::parse(without_times(out.report.dump()));
  out.rows = dump_database(db);
  return out;
}

void expect_same(const Imported& one, const Imported& two) {
  EXPECT_EQ(one.code, two.code);
  EXPECT_EQ(one.summary, two.summary);
  ASSERT_TRUE(one.report.is_object());
  ASSERT_TRUE(two.report.is_object());
  ASSERT_EQ(one.report["messages"].size(), two.report["messages"].size());
  for (std::size_t i = 0; i < one.report["messages"].size(); ++i)
    ASSERT_EQ(one.report["messages"][i], two.report["messages"][i]) << "report entry " << i;
  EXPECT_EQ(one.report, two.report);
  ASSERT_EQ(one.rows.size(), two.rows.size());
  for (std::size_t i = 0; i < one.rows.size(); ++i)
    ASSERT_EQ(one.rows[i], two.rows[i]) << "database row " << i;
}

class ImportJobs : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(CRMR_CORPUS_DIR)) GTEST_SKIP() << "corpus missing";
  }
  const std::vector<std::string> corpus_{CRMR_CORPUS_DIR};
};

TEST_F(ImportJobs, WholeCorpusGivesTheSameReportAndDatabaseWithOneOrTwoJobs) {
  Imported one = import_with("1", corpus_);
  Imported two = import_with("2", corpus_);
  ASSERT_GT(one.report["messages"].size(), 5000u) << "the whole corpus was read";
  const auto& totals = one.report["run"]["totals"];
  EXPECT_GT(totals["queued"].get<int>(), 1000) << totals.dump();
  EXPECT_GT(totals["tossed"].get<int>(), 1000) << totals.dump();
  EXPECT_GT(totals["duplicate"].get<int>(), 100) << totals.dump();
  EXPECT_GT(totals["quarantined"].get<int>(), 0) << totals.dump();
  EXPECT_GT(totals["failed"].get<int>(), 0) << totals.dump();
  expect_same(one, two);
  // Four jobs on two cores: the workers finish out of order more often.
  expect_same(one, import_with("4", corpus_));
}

TEST_F(ImportJobs, DryRunOfTheCorpusReportsTheSameWithOneOrTwoJobs) {
  Imported one = import_with("1", corpus_, {"--dry-run"});
  Imported two = import_with("2", corpus_, {"--dry-run"});
  ASSERT_GT(one.report["messages"].size(), 5000u);
  expect_same(one, two);
}

// A limit reached while messages are read ahead: those are neither decided
// nor reported, as with one job, which never reads them.
TEST_F(ImportJobs, ALimitStopsAtTheSameMessage) {
  const std::vector<std::string> args = {"--limit", "1234"};
  auto with = [&](const char* jobs) {
    std::vector<std::string> paths = corpus_;
    paths.insert(paths.begin(), args.begin(), args.end());
    return import_with(jobs, paths);
  };
  Imported one = with("1");
  Imported two = with("2");
  EXPECT_EQ(one.report["messages"].size(), 1234u);
  expect_same(one, two);
}

// A date filter skips some messages on the workers' side of the pipeline;
// forward-mailbox unwrap runs there too.
TEST_F(ImportJobs, DateFilterAndForwardUnwrapGiveTheSameResults) {
  std::vector<std::string> paths = {"--since", "2002-09-01", "--until", "2002-10-01",
                                    "--forward-mailbox"};
  paths.insert(paths.end(), corpus_.begin(), corpus_.end());
  Imported one = import_with("1", paths);
  Imported two = import_with("2", paths);
  EXPECT_GT(one.report["messages"].size(), 100u);
  expect_same(one, two);
}

// What the messages left in the database: the ledger, the outbox, the
// quarantine and the cache, without the run that recorded them (a crashed
// run and its rerun share the work) or the runs' own history.
std::vector<std::string> recorded_rows(const std::string& db) {
  static const std::regex run_id(R"( run_id=\d+)");
  std::vector<std::string> rows;
  for (const std::string& line : dump_database(db))
    if (!line.starts_with("runs:") && !line.starts_with("run_entries:"))
      rows.push_back(std::regex_replace(line, run_id, ""));
  return rows;
}

// Rows in the ledger of `db` (-1 when it cannot be read yet).
std::int64_t ledger_rows(const std::string& db) {
  sqlite3* h = nullptr;
  std::int64_t n = -1;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(h, 1000);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(h, "SELECT count(*) FROM ledger", -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
      n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
  }
  sqlite3_close(h);
  return n;
}

// An import with two jobs ended abruptly in the middle, at a crash point
// (CRMR_CRASH_AT, the process ends as if killed) or by SIGKILL from outside
// once its first batch is committed, then run again to its end: the ledger,
// outbox and quarantine are row for row those of one uninterrupted import
// with one job, and the rerun reports every message of the corpus, in the
// same order, as that import did, or as a duplicate when the crashed run had
// committed it.
TEST_F(ImportJobs, ACrashMidwayWithTwoJobsLosesAndDoublesNothing) {
  Imported one = import_with("1", corpus_);
  std::vector<std::string> want;
  {
    // import_with's database is gone with its folder: import once more for
    // the rows (the report is compared with `one` below).
    TempDir t;
    const std::string db = seeded_db(t);
    std::vector<std::string> args = {"--db", db, "--no-progress", "import", "--jobs", "1"};
    args.insert(args.end(), corpus_.begin(), corpus_.end());
    ASSERT_EQ(run_binary(args, ""), one.code);
    want = recorded_rows(db);
  }
  const auto& ref = one.report["messages"];
  ASSERT_GT(ref.size(), 5000u);

  // commit: batches of 1000 messages; parse: the n-th message the ordered
  // stage records; a bare number: the n-th crash point of any name.
  for (const std::string crash_at : {"commit:1", "parse:1", "parse:2500", "4321", "kill"}) {
    SCOPED_TRACE(crash_at);
    TempDir t;
    const std::string db = seeded_db(t);
    const std::string log = t.file("log.txt");
    std::vector<std::string> args = {"--db", db, "--no-progress", "--report", t.file("r.json"),
                                     "import", "--jobs", "2"};
    args.insert(args.end(), corpus_.begin(), corpus_.end());
    if (crash_at == "kill") {
      const pid_t pid = start_binary(args, "", log);
      while (ledger_rows(db) <= 0 && ::waitpid(pid, nullptr, WNOHANG) == 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      ::kill(pid, SIGKILL);
      EXPECT_EQ(wait_exit_status(pid), -SIGKILL) << "the import ended before it was killed";
    } else {
      EXPECT_EQ(run_binary(args, crash_at, log), 137) << read_file(log);
    }
    const std::int64_t committed = ledger_rows(db);
    EXPECT_GE(committed, 0);
    EXPECT_LT(committed, static_cast<std::int64_t>(ref.size()));

    EXPECT_EQ(run_binary(args, "", log), one.code) << read_file(log);
    EXPECT_EQ(recorded_rows(db), want);
    const json rerun = json::parse(read_file(t.file("r.json")), nullptr, false);
    ASSERT_TRUE(rerun.is_object());
    const auto& got = rerun["messages"];
    ASSERT_EQ(got.size(), ref.size());
    std::size_t duplicates = 0;
    for (std::size_t i = 0; i < ref.size(); ++i) {
      json g = json::parse(without_times(got[i].dump()));
      if (g == ref[i]) continue;
      ASSERT_EQ(g["key"], ref[i]["key"]) << "report entry " << i;
      ASSERT_EQ(g["outcome"], "duplicate") << "report entry " << i << ": " << g.dump();
      ++duplicates;
    }
    // Each message the crashed run committed, and no other, is one now.
    EXPECT_EQ(static_cast<std::int64_t>(duplicates), committed);
  }
}

// The demo mbox through a Pipeline of `jobs` on a fresh copy of the demo
// CRM, workers deciding with readers from `open` (none: the ordered stage
// decides). Returns every report entry as JSON, in order.
std::vector<std::string> route_demo(std::size_t jobs, WorkerCache::Open open) {
  TempDir t;
  const std::string db = t.file("state.db");
  // In a child process: run_cli would leave this one without a default logger.
  EXPECT_EQ(admin_run({"--db", db, "cache", "import", source_path("demo/cache.jsonl")}).code, 0);
  auto store = Store::open(db, OpenMode::ReadWrite);
  EXPECT_TRUE(store);
  auto run = (*store)->begin_run("import", "2026-12-07T00:00:00Z");
  EXPECT_TRUE(run);
  std::vector<std::string> entries;
  PipelineOptions po;
  po.jobs = jobs;
  Pipeline p(**store, po, *run, [&](ReportEntry&& e) { entries.push_back(entry_to_json(e)); });
  p.decide_on_workers(std::move(open));
  auto src = open_source(source_path("demo/demo.mbox"));
  EXPECT_TRUE(src);
  EXPECT_TRUE(p.run_source(**src, {}));
  return entries;
}

// A worker that cannot open the database leaves every decision to the ordered
// stage; one that can decides them itself; the entries are the same.
TEST(PipelineJobs, WorkersWithOrWithoutACacheReaderDecideAsOneJob) {
  const std::vector<std::string> one = route_demo(1, {});
  ASSERT_EQ(one.size(), 35u);
  auto cannot_open = []() -> Result<std::unique_ptr<Store>> {
    return fail(Code::StoreBusy, "no reader today", Scope::Run, Retry::Never);
  };
  EXPECT_EQ(route_demo(2, cannot_open), one);
  // Readers of the database the test made: open_worker_readers with its path
  // is what import and run use; here each route_demo has its own file, so a
  // reader of a copy of the demo CRM stands in for it.
  TempDir t;
  const std::string copy = t.file("reader.db");
  ASSERT_EQ(admin_run({"--db", copy, "cache", "import", source_path("demo/cache.jsonl")}).code, 0);
  EXPECT_EQ(route_demo(2, open_worker_readers(copy)), one);
  EXPECT_EQ(route_demo(3, open_worker_readers(copy)), one);
}

}  // namespace
}  // namespace crmr::test
