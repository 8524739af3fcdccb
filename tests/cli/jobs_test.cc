// --jobs: parsing on worker threads changes nothing but the speed. An import
// of the whole corpus with one job and with two gives the same exit status,
// the same report (every entry, in the same order) and the same database rows,
// timestamps aside; so does a dry run, and a --limit that stops in the middle.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "cli/pipeline.h"
#include "cli/worker_cache.h"
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

// `import` of `paths` into a fresh database holding the demo CRM and the
// list queues.
Imported import_with(const std::string& jobs, const std::vector<std::string>& paths,
                     std::vector<std::string> extra = {}) {
  TempDir t;
  const std::string db = t.file("state.db");
  for (const std::string& file : {source_path("demo/cache.jsonl"), t.write("lists.jsonl", kListQueues)}) {
    auto cache = run_cli({"--db", db, "cache", "import", file});
    EXPECT_EQ(cache.code, 0) << cache.err;
  }
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
    return fail("store.busy", "no reader today", Scope::Run);
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
