// Store: what sync needs beyond upserts and deletions by id — the sweep after
// a full read (cached records the CRM did not return are deleted) and the
// users' filtering methods applied by id.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <set>

#include "storage/key_set.h"
#include "storage/store.h"
#include "tests/storage/storage_test_util.h"
#include "tests/support/result_matchers.h"

namespace crmr {
namespace {

using test::contact;
using test::memory_store;
using test::TempDir;

Store::SeenFn in(const std::set<std::string>& ids) {
  return [&ids](const std::string& id) -> Result<bool> { return ids.contains(id); };
}

CrmRecord user(std::string id, std::string address, int filtering) {
  return CrmRecord{"systemuser", std::move(id), "User", true, filtering, {std::move(address)}};
}

std::int64_t count_of(const Store& store, const std::string& entity) {
  auto stats = store.cache_stats();
  EXPECT_OK(stats);
  return stats && stats->contains(entity) ? stats->at(entity) : 0;
}

TEST(StoreSweep, DeletesTheRecordsOfTheEntityTheReadDidNotReturn) {
  auto store = memory_store();
  ASSERT_TRUE(store->upsert_record(contact("c1", "One", {"one@x.example"})));
  ASSERT_TRUE(store->upsert_record(contact("c2", "Two", {"two@x.example"})));
  ASSERT_TRUE(store->upsert_record(contact("c3", "Three", {"three@x.example"})));
  ASSERT_TRUE(store->upsert_record(user("c2", "user@x.example", 1)));  // same id, other entity

  std::set<std::string> seen = {"c1", "c3", "never-cached"};
  auto swept = store->sweep_unseen("contact", in(seen));
  ASSERT_OK(swept);
  EXPECT_EQ(*swept, 1);
  EXPECT_TRUE(store->records_by_address("two@x.example").empty());  // addresses go with it
  EXPECT_EQ(store->records_by_address("one@x.example").size(), 1u);
  EXPECT_EQ(store->records_by_address("three@x.example").size(), 1u);
  EXPECT_EQ(store->records_by_address("user@x.example").size(), 1u);  // another entity: untouched

  auto again = store->sweep_unseen("contact", in(seen));
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0);
}

TEST(StoreSweep, AnEmptyReadEmptiesTheEntity) {
  auto store = memory_store();
  ASSERT_TRUE(store->upsert_record(contact("c1", "One", {"one@x.example"})));
  ASSERT_TRUE(store->upsert_record(user("u1", "user@x.example", 1)));
  std::set<std::string> none;
  auto swept = store->sweep_unseen("contact", in(none));
  ASSERT_TRUE(swept);
  EXPECT_EQ(*swept, 1);
  EXPECT_EQ(count_of(*store, "contact"), 0);
  EXPECT_EQ(count_of(*store, "systemuser"), 1);
}

TEST(StoreSweep, WalksMoreRecordsThanOneBatch) {
  auto store = memory_store();
  std::set<std::string> seen;
  ASSERT_TRUE(store->begin());
  for (int i = 0; i < 2500; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "c%05d", i);
    ASSERT_TRUE(store->upsert_record(contact(id, "N", {std::string(id) + "@x.example"})));
    if (i % 3 != 0) seen.insert(id);
  }
  ASSERT_TRUE(store->commit());
  auto counted = store->count_unseen("contact", in(seen));
  ASSERT_TRUE(counted);
  EXPECT_EQ(*counted, 834);  // i = 0, 3, ..., 2499
  auto swept = store->sweep_unseen("contact", in(seen));
  ASSERT_TRUE(swept);
  EXPECT_EQ(*swept, 834);
  EXPECT_EQ(count_of(*store, "contact"), 2500 - 834);
  EXPECT_TRUE(store->records_by_address("c00000@x.example").empty());
  EXPECT_EQ(store->records_by_address("c00001@x.example").size(), 1u);
  EXPECT_TRUE(store->records_by_address("c02499@x.example").empty());
}

TEST(StoreSweep, AFailingLookupDeletesNothing) {
  auto store = memory_store();
  ASSERT_TRUE(store->begin());
  for (int i = 0; i < 1500; ++i)
    ASSERT_TRUE(store->upsert_record(contact("c" + std::to_string(10000 + i), "N", {})));
  ASSERT_TRUE(store->commit());
  int asked = 0;
  auto broken = [&asked](const std::string&) -> Result<bool> {
    if (++asked > 1200) return fail(Code::StoreIoError, "the seen set is unreadable");
    return false;  // the first batch is swept before the lookup fails
  };
  auto swept = store->sweep_unseen("contact", broken);
  ASSERT_FALSE(swept);
  EXPECT_ERROR_CODE(swept, Code::StoreIoError);
  EXPECT_EQ(count_of(*store, "contact"), 1500);
}

TEST(StoreSweep, IsUndoneWithTheOpenTransaction) {
  auto store = memory_store();
  ASSERT_TRUE(store->upsert_record(contact("c1", "One", {"one@x.example"})));
  ASSERT_TRUE(store->begin());
  std::set<std::string> none;
  auto swept = store->sweep_unseen("contact", in(none));
  ASSERT_TRUE(swept);
  EXPECT_EQ(*swept, 1);
  store->rollback();
  EXPECT_EQ(store->records_by_address("one@x.example").size(), 1u);
}

TEST(StoreSweep, ReadOnlyStoreCountsButCannotSweep) {
  TempDir dir;
  const std::string db = dir.file("c.db");
  {
    auto store = Store::open(db, OpenMode::ReadWrite);
    ASSERT_TRUE(store);
    ASSERT_TRUE((*store)->upsert_record(contact("c1", "One", {"one@x.example"})));
    ASSERT_TRUE((*store)->upsert_record(contact("c2", "Two", {"two@x.example"})));
  }
  auto store = Store::open(db, OpenMode::ReadOnly);
  ASSERT_TRUE(store);
  std::set<std::string> seen = {"c1"};
  auto counted = (*store)->count_unseen("contact", in(seen));
  ASSERT_TRUE(counted);
  EXPECT_EQ(*counted, 1);
  auto swept = (*store)->sweep_unseen("contact", in(seen));
  ASSERT_FALSE(swept);
  EXPECT_ERROR_CODE(swept, Code::StoreReadOnly);
  EXPECT_EQ((*store)->records_by_address("two@x.example").size(), 1u);
}

// What sync does: the ids of the read in a KeySet on disk, the sweep asking it.
TEST(StoreSweep, WithAKeySetOfTheReadIds) {
  auto store = memory_store();
  auto seen = KeySet::open_temporary();
  ASSERT_TRUE(seen);
  ASSERT_TRUE(store->begin());
  for (int i = 0; i < 20000; ++i) {
    std::string id = "c" + std::to_string(100000 + i);
    ASSERT_TRUE(store->upsert_record(contact(id, "N", {})));
    if (i != 7 && i != 19999) {
      ASSERT_TRUE((*seen)->insert(id));
    }
  }
  ASSERT_TRUE(store->commit());
  auto swept = store->sweep_unseen("contact", [&](const std::string& id) { return (*seen)->find(id); });
  ASSERT_OK(swept);
  EXPECT_EQ(*swept, 2);
  EXPECT_EQ(count_of(*store, "contact"), 19998);
}

// --- filtering methods (usersettingscollection) by id

TEST(StoreFiltering, SetsTheMethodOfCachedUsersById) {
  auto store = memory_store();
  ASSERT_TRUE(store->upsert_record(user("u1", "u1@x.example", 1)));
  ASSERT_TRUE(store->upsert_record(user("u2", "u2@x.example", 2)));
  ASSERT_TRUE(store->upsert_record(contact("u3", "Contact with a user's id", {"c@x.example"})));
  const std::map<std::string, int> methods = {{"u1", 3}, {"u2", 2}, {"u3", 0}, {"not-cached", 1}};

  auto counted = store->count_filtering_changes("systemuser", methods);
  ASSERT_TRUE(counted);
  EXPECT_EQ(*counted, 1);
  auto changed = store->set_filtering_methods("systemuser", methods);
  ASSERT_OK(changed);
  EXPECT_EQ(*changed, 1);  // u1 only: u2 has it already, u3 is a contact, the last is not cached

  EXPECT_EQ(store->records_by_address("u1@x.example").at(0).filtering_method, 3);
  EXPECT_EQ(store->records_by_address("u1@x.example").at(0).name, "User");
  EXPECT_EQ(store->records_by_address("u1@x.example").size(), 1u);  // addresses kept
  EXPECT_EQ(store->records_by_address("u2@x.example").at(0).filtering_method, 2);
  EXPECT_EQ(store->records_by_address("c@x.example").at(0).filtering_method, -1);
  EXPECT_EQ(count_of(*store, "systemuser"), 2);  // nothing created

  auto again = store->count_filtering_changes("systemuser", methods);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0);
}

}  // namespace
}  // namespace crmr
