// Store: smart matching's candidates when some subject words are common
// (held by more than a thousand cached subjects).
#include "storage/store.h"

#include <gtest/gtest.h>

#include "tests/storage/storage_test_util.h"

namespace crmr {
namespace {

using test::memory_store;
using test::tracked;

constexpr int kCommon = 1500;  // more than the store reads of one hash

std::vector<std::int32_t> hashes_of(const Store& store, const std::string& subject) {
  const OrgSettings org = store.org();
  return subject_hashes(subject, org.hash_filter_keywords, org.hash_max_count);
}

// kCommon e-mails "Order N shipping update" (every word but N common) and a
// few others, in one transaction.
std::unique_ptr<Store> crowded_store(const std::vector<std::pair<std::string, std::string>>& more) {
  auto store = memory_store();
  EXPECT_TRUE(store->begin());
  for (int i = 0; i < kCommon; ++i)
    EXPECT_TRUE(store->upsert_tracked(
        tracked("o" + std::to_string(i), "Order " + std::to_string(i) + " shipping update")));
  for (const auto& [id, subject] : more) EXPECT_TRUE(store->upsert_tracked(tracked(id, subject)));
  EXPECT_TRUE(store->commit());
  return store;
}

std::vector<std::string> ids(const std::vector<TrackedEmail>& emails) {
  std::vector<std::string> out;
  for (const auto& e : emails) out.push_back(e.activity_id);
  return out;
}

TEST(StoreSmartMatch, ARareWordFindsItsEmailsCountedWithTheCommonWords) {
  auto store = crowded_store({{"p1", "Pump quote shipping update"}, {"p2", "Pump manual"}});
  auto found = store->tracked_by_subject_hashes(hashes_of(*store, "RE: Pump quote shipping update"));
  ASSERT_TRUE(store->status());
  // All four words shared first, then "pump" alone; e-mails sharing only the
  // common words cannot match (no subject difference allowed) and are left out.
  EXPECT_EQ(ids(found), (std::vector<std::string>{"p1", "p2"}));
}

TEST(StoreSmartMatch, AnEmailOfTheCrowdIsFoundByItsOwnNumber) {
  auto store = crowded_store({});
  auto found = store->tracked_by_subject_hashes(hashes_of(*store, "Order 1234 shipping update"));
  ASSERT_TRUE(store->status());
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found[0].activity_id, "o1234");
  EXPECT_EQ(found.size(), 1u);
}

TEST(StoreSmartMatch, AllowedDifferencesWidenTheSearchToTheCommonWords) {
  auto store = crowded_store({{"p1", "Pump shipping update"}});
  OrgSettings org = store->org();
  org.hash_delta_subject_count = 1;  // one rare word is not enough to narrow it
  ASSERT_TRUE(store->put_org(org));
  auto found = store->tracked_by_subject_hashes(hashes_of(*store, "Pump shipping update"));
  ASSERT_TRUE(store->status());
  ASSERT_EQ(found.size(), 200u);  // the most shared first, at most 200
  EXPECT_EQ(found[0].activity_id, "p1");
}

TEST(StoreSmartMatch, ASubjectOfCommonWordsOnlyComparesTheMostRecentEmails) {
  auto store = crowded_store({{"u", "shipping update"}});
  auto found = store->tracked_by_subject_hashes(hashes_of(*store, "shipping update"));
  ASSERT_TRUE(store->status());
  ASSERT_EQ(found.size(), 200u);
  EXPECT_EQ(found[0].activity_id, "u");  // both words, and the newest
}

}  // namespace
}  // namespace crmr
