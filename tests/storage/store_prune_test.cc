// Store: the modification time of tracked e-mails (schema 6) and pruning the
// ones older than the look-back window.
#include "storage/store.h"

#include <gtest/gtest.h>

#include "tests/storage/storage_test_util.h"
#include "tests/support/result_matchers.h"

namespace crmr {
namespace {

using test::database_at_version;
using test::memory_store;
using test::TempDir;
using test::tracked;

TrackedEmail dated(std::string id, std::string subject, std::string modified) {
  TrackedEmail e = tracked(std::move(id), std::move(subject));
  e.modified = std::move(modified);
  return e;
}

// Version 6 (tracked_emails.modified) follows main's version 5
// (outbox.run_seq): a version-5 database keeps its records, its tracked
// e-mails with their subject hashes and its queued mail; the e-mails cached
// before have no modification time, so prune keeps them.
TEST(StorePrune, Version5DatabaseMigratesTo6KeepingItsData) {
  TempDir dir;
  const std::string path = dir.file("v5.db");
  database_at_version(
      path, 5,
      "INSERT INTO records (rid, entity, id, name) VALUES (1, 'contact', 'c1', 'Ann');"
      "INSERT INTO record_addresses (address, rid) VALUES ('ann@example.com', 1);"
      "INSERT INTO tracked_emails (tid, activity_id, message_id, subject, regarding_entity,"
      " regarding_id) VALUES (7, 'a7', 'm7@example.com', 'Quote pumps', 'contact', 'c1');"
      "INSERT INTO runs (id, command, started, finished, totals_json, report_json, status, error)"
      " VALUES (3, 'import', '2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z', '{}', '{}', 'ok', '');"
      "INSERT INTO outbox (id, key, raw, run_id, run_seq, created_at, updated_at) VALUES"
      " (1, 'k1', 'raw', 3, 4, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')");
  {
    // The subject hashes as that version computed them.
    auto conn = db::Connection::open(path, db::Access::ReadWriteCreate);
    ASSERT_TRUE(conn);
    for (std::int32_t h : subject_hashes("Quote pumps", OrgSettings{}.hash_filter_keywords,
                                         OrgSettings{}.hash_max_count))
      ASSERT_TRUE(conn->exec(("INSERT INTO tracked_subject_hashes (hash, tid) VALUES (" +
                              std::to_string(h) + ", 7)")
                                 .c_str()));
  }
  auto store = Store::open(path, OpenMode::ReadWrite);
  ASSERT_OK(store);
  EXPECT_EQ((*store)->schema_version(), 6);
  EXPECT_EQ((*store)->schema_version(), current_schema_version());

  auto ann = (*store)->records_by_address("Ann@Example.com");
  ASSERT_EQ(ann.size(), 1u);
  EXPECT_EQ(ann[0].name, "Ann");
  auto email = (*store)->tracked_by_message_id("<m7@example.com>");
  ASSERT_TRUE(email);
  EXPECT_EQ(email->activity_id, "a7");
  EXPECT_EQ(email->regarding_id, "c1");
  EXPECT_EQ(email->modified, "");
  const OrgSettings org = (*store)->org();
  EXPECT_EQ((*store)->tracked_by_subject_hashes(
                      subject_hashes("quote pumps", org.hash_filter_keywords, org.hash_max_count))
                .size(),
            1u);
  auto items = (*store)->outbox_pending_after(0, 10);
  ASSERT_OK(items);
  ASSERT_EQ(items->size(), 1u);
  EXPECT_EQ((*items)[0].run_seq, 4);

  // Undated: kept by any window.
  EXPECT_EQ((*store)->count_prunable("2999-01-01T00:00:00Z").value(), 0);
  EXPECT_EQ((*store)->prune_tracked("2999-01-01T00:00:00Z").value(), 0);
  EXPECT_TRUE((*store)->tracked_by_message_id("m7@example.com"));
}

TEST(StorePrune, RemovesOnlyEmailsModifiedBeforeTheWindowWithTheirHashes) {
  TempDir dir;
  auto opened = Store::open(dir.file("state.db"), OpenMode::ReadWrite);
  ASSERT_OK(opened);
  auto& store = **opened;
  ASSERT_TRUE(store.upsert_tracked(dated("old", "Quote pumps", "2025-01-01T00:00:00Z")));
  ASSERT_TRUE(store.upsert_tracked(dated("new", "Quote valves", "2026-06-01T00:00:00Z")));
  ASSERT_TRUE(store.upsert_tracked(dated("undated", "Quote gears", "")));
  EXPECT_EQ(store.count_prunable("2026-01-01T00:00:00Z").value(), 1);
  EXPECT_EQ(store.prune_tracked("2026-01-01T00:00:00Z").value(), 1);
  EXPECT_EQ(store.count_prunable("2026-01-01T00:00:00Z").value(), 0);
  const OrgSettings org = store.org();
  auto quote = store.tracked_by_subject_hashes(
      subject_hashes("quote", org.hash_filter_keywords, org.hash_max_count));
  ASSERT_OK(store.status());
  ASSERT_EQ(quote.size(), 2u);  // the old one's hashes went with it
  EXPECT_EQ(store.cache_stats()->at("email"), 2);
}

TEST(StorePrune, ManyStatementsRemoveEveryOldEmailAndKeepTheRest) {
  auto store = memory_store();
  for (int i = 0; i < 25; ++i)
    ASSERT_TRUE(store->upsert_tracked(dated("old" + std::to_string(i), "Quote " + std::to_string(i),
                                            "2025-01-01T00:00:00Z")));
  ASSERT_TRUE(store->upsert_tracked(dated("new", "Quote valves", "2026-06-01T00:00:00Z")));
  EXPECT_EQ(store->prune_tracked("2026-01-01T00:00:00Z", 10).value(), 25);  // 10 + 10 + 5
  EXPECT_EQ(store->count_prunable("2026-01-01T00:00:00Z").value(), 0);
  EXPECT_EQ(store->cache_stats()->at("email"), 1);
  EXPECT_EQ(store->tracked_by_subject_hashes(subject_hashes("quote", "", 20)).size(), 1u);
}

TEST(StorePrune, NothingOlderThanTheWindowLeavesTheCacheAlone) {
  auto store = memory_store();
  ASSERT_TRUE(store->upsert_tracked(dated("new", "Quote", "2026-06-01T00:00:00Z")));
  EXPECT_EQ(store->prune_tracked("2026-01-01T00:00:00Z").value(), 0);
  EXPECT_TRUE(store->tracked_by_subject_hashes(subject_hashes("quote", "", 20)).size() == 1u);
}

}  // namespace
}  // namespace crmr
