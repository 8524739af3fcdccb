// Store: ledger, outbox, quarantine, runs, statistics, and speed.
#include "storage/store.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "tests/storage/storage_test_util.h"
#include "tests/support/result_matchers.h"

namespace crmr {
namespace {

using test::contact;
using test::database_at_version;
using test::memory_store;
using test::processed;
using test::read_bytes;
using test::TempDir;
using test::thread_index;
using test::tracked;

// --- ledger, outbox, quarantine

TEST(StoreLedger, RecordProcessedWritesLedgerAndOutboxOrQuarantine) {
  auto store = memory_store();
  const std::string raw("From: a\r\n\r\nbinary \0 bytes\xff", 27);
  ASSERT_TRUE(store->record_processed(7, processed("queued-key", "queued", raw)));
  ASSERT_TRUE(store->record_processed(7, processed("quar-key", "quarantined", "bad bytes")));
  ASSERT_TRUE(store->record_processed(7, processed("tossed-key", "tossed")));
  for (const char* key : {"queued-key", "quar-key", "tossed-key"}) EXPECT_TRUE(store->ledger_has(key));
  EXPECT_FALSE(store->ledger_has("other"));

  auto pending = store->outbox_pending(10);
  ASSERT_TRUE(pending);
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].key, "queued-key");
  EXPECT_EQ((*pending)[0].raw, raw);
  EXPECT_EQ((*pending)[0].decision_json, R"({"outcome":"queued"})");
  EXPECT_EQ((*pending)[0].attempts, 0);

  auto quarantined = store->quarantine_list();
  ASSERT_TRUE(quarantined);
  ASSERT_EQ(quarantined->size(), 1u);
  EXPECT_EQ((*quarantined)[0].key, "quar-key");
  EXPECT_EQ((*quarantined)[0].source, "mbox:/tmp/in.mbox");
  EXPECT_EQ((*quarantined)[0].position, "42");
  EXPECT_EQ((*quarantined)[0].error, "bad MIME");
  EXPECT_FALSE((*quarantined)[0].when.empty());
  EXPECT_EQ(store->quarantine_raw((*quarantined)[0].id).value(), "bad bytes");
}

TEST(StoreLedger, TheFirstRecordOfAKeyStands) {
  auto store = memory_store();
  ASSERT_TRUE(store->record_processed(1, processed("k", "queued", "one")));
  ASSERT_TRUE(store->record_processed(2, processed("k", "queued", "two")));
  ASSERT_TRUE(store->record_processed(2, processed("k", "quarantined")));
  EXPECT_EQ(store->outbox_pending(10)->size(), 1u);
  EXPECT_EQ(store->outbox_pending(10)->at(0).raw, "one");
  EXPECT_TRUE(store->quarantine_list()->empty());
  EXPECT_EQ(store->cache_stats()->at("ledger"), 1);
}

TEST(StoreLedger, KeylessMessageIsRefused) {
  auto store = memory_store();
  EXPECT_FALSE(store->record_processed(1, processed("", "queued")));
}

TEST(StoreOutbox, PendingInOrderUpToTheLimit) {
  auto store = memory_store();
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(store->record_processed(1, processed("k" + std::to_string(i), "queued")));
  auto two = store->outbox_pending(2);
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[0].key, "k0");
  EXPECT_EQ((*two)[1].key, "k1");
  EXPECT_LT((*two)[0].id, (*two)[1].id);
}

TEST(StoreOutbox, DoneLeavesThePendingList) {
  auto store = memory_store();
  ASSERT_TRUE(store->record_processed(1, processed("k", "queued")));
  auto id = store->outbox_pending(1)->at(0).id;
  ASSERT_TRUE(store->outbox_done(id, "act-1"));
  EXPECT_TRUE(store->outbox_pending(10)->empty());
  EXPECT_ERROR_CODE(store->outbox_done(id, "act-1"), Code::StoreNotFound);
  EXPECT_ERROR_CODE(store->outbox_done(999, "x"), Code::StoreNotFound);
  EXPECT_TRUE(store->ledger_has("k"));
}

TEST(StoreOutbox, TransientFailureCountsAttemptsAndStaysPending) {
  auto store = memory_store();
  ASSERT_TRUE(store->record_processed(1, processed("k", "queued")));
  auto id = store->outbox_pending(1)->at(0).id;
  ASSERT_TRUE(store->outbox_failed(id, "503 Service Unavailable", false));
  ASSERT_TRUE(store->outbox_failed(id, "503 Service Unavailable", false));
  auto pending = store->outbox_pending(10);
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].attempts, 2);
  EXPECT_TRUE(store->quarantine_list()->empty());
}

TEST(StoreOutbox, PermanentFailureMovesTheMessageToQuarantine) {
  auto store = memory_store();
  ASSERT_TRUE(store->record_processed(1, processed("k", "queued", "the raw message")));
  auto id = store->outbox_pending(1)->at(0).id;
  ASSERT_TRUE(store->outbox_failed(id, "400 Bad Request", true));
  EXPECT_TRUE(store->outbox_pending(10)->empty());
  auto q = store->quarantine_list();
  ASSERT_EQ(q->size(), 1u);
  EXPECT_EQ((*q)[0].key, "k");
  EXPECT_EQ((*q)[0].error, "400 Bad Request");
  EXPECT_EQ((*q)[0].source, "mbox:/tmp/in.mbox");
  EXPECT_EQ(store->quarantine_raw((*q)[0].id).value(), "the raw message");
  EXPECT_ERROR_CODE(store->outbox_failed(id, "again", true), Code::StoreNotFound);
}

TEST(StoreQuarantine, RemovingAnItemLetsItsKeyBeProcessedAgain) {
  auto store = memory_store();
  ASSERT_TRUE(store->record_processed(1, processed("k", "quarantined", "raw")));
  ASSERT_TRUE(store->record_processed(1, processed("other", "tossed")));
  auto id = store->quarantine_list()->at(0).id;
  ASSERT_TRUE(store->quarantine_remove(id));
  EXPECT_TRUE(store->quarantine_list()->empty());
  EXPECT_FALSE(store->ledger_has("k"));
  EXPECT_TRUE(store->ledger_has("other"));
  EXPECT_ERROR_CODE(store->quarantine_raw(id), Code::StoreNotFound);
  EXPECT_ERROR_CODE(store->quarantine_remove(id), Code::StoreNotFound);
  // Retried, it is queued now.
  ASSERT_TRUE(store->record_processed(2, processed("k", "queued", "raw")));
  EXPECT_EQ(store->outbox_pending(10)->size(), 1u);
}

TEST(StoreQuarantine, AnIdIsNeverGivenOutAgain) {
  auto store = memory_store();
  ASSERT_TRUE(store->record_processed(1, processed("a", "quarantined", "raw a")));
  ASSERT_TRUE(store->record_processed(1, processed("b", "quarantined", "raw b")));
  auto newest = store->quarantine_list()->back().id;
  ASSERT_TRUE(store->quarantine_remove(newest));
  ASSERT_TRUE(store->record_processed(2, processed("c", "quarantined", "raw c")));
  auto q = store->quarantine_list();
  ASSERT_EQ(q->size(), 2u);
  EXPECT_GT(q->back().id, newest);
  EXPECT_EQ(q->back().key, "c");
}

TEST(StoreQuarantine, Version2DatabaseKeepsItsItemsAndStopsReusingIds) {
  TempDir dir;
  const std::string path = dir.file("v2.db");
  database_at_version(path, 2,
                      "INSERT INTO quarantine (id, key, source, position, raw, error, run_id, at) VALUES "
                      "(4, 'k4', 'mbox:x', '10', X'00FF', 'bad', 3, '2026-01-01T00:00:00Z'),"
                      "(9, 'k9', 'mbox:x', '20', 'raw', 'worse', 3, '2026-01-01T00:00:00Z')");
  auto store = Store::open(path, OpenMode::ReadWrite);
  ASSERT_OK(store);
  EXPECT_EQ((*store)->schema_version(), current_schema_version());
  auto q = (*store)->quarantine_list();
  ASSERT_TRUE(q);
  ASSERT_EQ(q->size(), 2u);
  EXPECT_EQ((*q)[0].id, 4);
  EXPECT_EQ((*q)[0].error, "bad");
  EXPECT_EQ((*store)->quarantine_raw(4).value(), std::string("\0\xFF", 2));
  EXPECT_EQ((*q)[1].id, 9);
  ASSERT_TRUE((*store)->quarantine_remove(9));
  ASSERT_TRUE((*store)->record_processed(4, processed("k10", "quarantined", "raw")));
  EXPECT_EQ((*store)->quarantine_list()->back().id, 10);
}

// Version 5 (outbox.run_seq) follows main's version 4 (runs.status, .error):
// a version-4 database keeps its runs' status and its queued mail, whose
// report entry is unknown (0) and whose run is kept.
TEST(StoreOutbox, Version4DatabaseKeepsRunStatusAndQueuedMail) {
  TempDir dir;
  const std::string path = dir.file("v4.db");
  database_at_version(path, 4,
                      "INSERT INTO runs (id, command, started, finished, totals_json, report_json, "
                      "status, error) VALUES (3, 'run', '2026-01-01T00:00:00Z', "
                      "'2026-01-01T00:01:00Z', '{}', '{}', 'failed', 'no secret');"
                      "INSERT INTO outbox (id, key, raw, run_id, created_at, updated_at) VALUES "
                      "(1, 'k1', 'raw', 3, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')");
  auto store = Store::open(path, OpenMode::ReadWrite);
  ASSERT_OK(store);
  EXPECT_EQ((*store)->schema_version(), current_schema_version());
  auto runs = (*store)->list_runs(10);
  ASSERT_TRUE(runs);
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].status, "failed");
  EXPECT_EQ((*runs)[0].error, "no secret");
  auto items = (*store)->outbox_pending_after(0, 10);
  ASSERT_OK(items);
  ASSERT_EQ(items->size(), 1u);
  EXPECT_EQ((*items)[0].key, "k1");
  EXPECT_EQ((*items)[0].run_id, 3);
  EXPECT_EQ((*items)[0].run_seq, 0);
}

TEST(StoreQuarantine, RemovingAFailedPushClearsItsOutboxEntry) {
  auto store = memory_store();
  ASSERT_TRUE(store->record_processed(1, processed("k", "queued", "raw")));
  ASSERT_TRUE(store->outbox_failed(store->outbox_pending(1)->at(0).id, "400", true));
  ASSERT_TRUE(store->quarantine_remove(store->quarantine_list()->at(0).id));
  ASSERT_TRUE(store->record_processed(2, processed("k", "queued", "raw")));
  EXPECT_EQ(store->outbox_pending(10)->size(), 1u);
}

// --- runs

TEST(StoreRuns, BeginFinishListAndReport) {
  auto store = memory_store();
  EXPECT_ERROR_CODE(store->run_report_json(0), Code::StoreNotFound);
  auto r1 = store->begin_run("import", "2026-01-01T00:00:00Z");
  auto r2 = store->begin_run("run", "2026-01-02T00:00:00Z");
  auto r3 = store->begin_run("push", "2026-01-03T00:00:00Z");
  ASSERT_TRUE(r1 && r2 && r3);
  EXPECT_LT(*r1, *r2);
  ASSERT_TRUE(store->finish_run(*r1, "2026-01-01T00:05:00Z", R"({"queued":1})", R"({"run":1})"));
  ASSERT_TRUE(store->finish_run(*r2, "2026-01-02T00:05:00Z", R"({"queued":2})", R"({"run":2})"));
  EXPECT_ERROR_CODE(store->finish_run(999, "", "", ""), Code::StoreNotFound);

  auto runs = store->list_runs(2);
  ASSERT_TRUE(runs);
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_EQ((*runs)[0].id, *r3);  // newest first
  EXPECT_EQ((*runs)[0].command, "push");
  EXPECT_TRUE((*runs)[0].finished.empty());
  EXPECT_EQ((*runs)[1].id, *r2);
  EXPECT_EQ((*runs)[1].started, "2026-01-02T00:00:00Z");
  EXPECT_EQ((*runs)[1].finished, "2026-01-02T00:05:00Z");
  EXPECT_EQ((*runs)[1].totals_json, R"({"queued":2})");

  EXPECT_EQ(store->run_report_json(0).value(), R"({"run":2})");  // latest finished
  EXPECT_EQ(store->run_report_json(*r1).value(), R"({"run":1})");
  EXPECT_ERROR_CODE(store->run_report_json(*r3), Code::StoreNotFound);
  EXPECT_ERROR_CODE(store->run_report_json(999), Code::StoreNotFound);
}

// --- statistics

TEST(StoreStats, CountsEveryEntityAndTheJournal) {
  auto store = memory_store();
  auto empty = store->cache_stats();
  ASSERT_TRUE(empty);
  for (const char* key : {"systemuser", "queue", "contact", "account", "lead", "email", "ledger",
                          "outbox_pending", "quarantine", "runs"})
    EXPECT_EQ(empty->at(key), 0) << key;
  ASSERT_TRUE(store->upsert_record(CrmRecord{"systemuser", "u1", "U", true, 0, {"u@x"}}));
  ASSERT_TRUE(store->upsert_record(CrmRecord{"queue", "q1", "Q", true, 0, {"q@x"}}));
  ASSERT_TRUE(store->upsert_record(contact("c1", "C", {"c@x"})));
  ASSERT_TRUE(store->upsert_record(contact("c2", "C", {"c@x"})));
  ASSERT_TRUE(store->upsert_record(CrmRecord{"account", "a1", "A", true, -1, {}}));
  ASSERT_TRUE(store->upsert_record(CrmRecord{"lead", "l1", "L", true, -1, {}}));
  ASSERT_TRUE(store->upsert_tracked(tracked("e1", "s")));
  ASSERT_TRUE(store->record_processed(1, processed("k1", "queued")));
  ASSERT_TRUE(store->record_processed(1, processed("k2", "quarantined")));
  ASSERT_TRUE(store->begin_run("run", "now"));
  auto stats = store->cache_stats();
  ASSERT_TRUE(stats);
  const std::map<std::string, std::int64_t> expected{
      {"systemuser", 1}, {"queue", 1},          {"contact", 2},    {"account", 1},
      {"lead", 1},       {"email", 1},          {"ledger", 2},     {"outbox_pending", 1},
      {"quarantine", 1}, {"runs", 1}};
  EXPECT_EQ(*stats, expected);
}

// --- volume (the rates printed here are read by scripts/bench-internals,
// which holds them to their targets; tests assert only the outcome)

double per_second(std::size_t n, std::chrono::steady_clock::duration d) {
  return static_cast<double>(n) / std::chrono::duration<double>(d).count();
}

// Processes `n` messages (3 of 4 queued with `raw_size` bytes) in one outer
// transaction on a file database; returns messages per second.
double record_processed_rate(std::size_t n, std::size_t raw_size) {
  TempDir dir;
  auto store = Store::open(dir.file("speed.db"), OpenMode::ReadWrite);
  EXPECT_TRUE(store);
  if (!store) return 0;
  auto& s = **store;
  const std::string raw(raw_size, 'm');
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(s.begin());
  for (std::size_t i = 0; i < n; ++i) {
    auto m = processed("key-" + std::to_string(i), i % 4 == 0 ? "tossed" : "queued", raw);
    if (!s.record_processed(1, m)) return 0;
  }
  EXPECT_TRUE(s.commit());
  const double rate = per_second(n, std::chrono::steady_clock::now() - start);
  EXPECT_EQ(s.cache_stats()->at("outbox_pending"), static_cast<std::int64_t>(n * 3 / 4));
  std::printf("[ speed    ] record_processed: %.0f/s (%zu messages, %zu-byte raw, one outer "
              "transaction, file db)\n", rate, n, raw_size);
  return rate;
}

TEST(StoreSpeed, RecordProcessedInOneOuterTransaction) {
  EXPECT_GT(record_processed_rate(20000, 512), 0.0);
  // Bigger messages are bound by writing their bytes (here about 80 MB).
  EXPECT_GT(record_processed_rate(20000, 4096), 0.0);
}

TEST(StoreSpeed, HotLookups) {
  TempDir dir;
  auto store = Store::open(dir.file("speed.db"), OpenMode::ReadWrite);
  ASSERT_TRUE(store);
  auto& s = **store;
  const int n = 10000;
  ASSERT_TRUE(s.begin());
  for (int i = 0; i < n; ++i) {
    const std::string id = std::to_string(i);
    ASSERT_TRUE(s.upsert_record(contact("c" + id, "Name " + id, {"user" + id + "@example.com"})));
    TrackedEmail e = tracked("a" + id, "Subject number " + id + " about pumps");
    e.message_id = "<m" + id + "@example.com>";
    e.tracking_token = "CRM:000" + id;
    ASSERT_TRUE(s.upsert_tracked(e));
  }
  ASSERT_TRUE(s.commit());
  const int lookups = 100000;
  std::size_t hits = 0;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < lookups; ++i) {
    const std::string id = std::to_string(i % n);
    hits += s.records_by_address("User" + id + "@example.com").size();
    hits += s.tracked_by_message_id("m" + id + "@example.com").has_value();
    hits += s.tracked_by_token("CRM:000" + id).has_value();
    hits += s.ledger_has("key-" + id);
  }
  const double rate = per_second(lookups * 4, std::chrono::steady_clock::now() - start);
  std::printf("[ speed    ] lookups (address, message-id, token, ledger): %.0f/s over %d "
              "records and %d tracked e-mails\n", rate, n, n);
  EXPECT_EQ(hits, static_cast<std::size_t>(lookups * 3));
}

}  // namespace
}  // namespace crmr
