// Store: what the cache holds as a whole (cache_info), in full for `check` and
// the routing part only for the guard of import and run.
#include "storage/store.h"

#include <gtest/gtest.h>

#include "tests/storage/storage_test_util.h"
#include "tests/support/result_matchers.h"

namespace crmr {
namespace {

using test::contact;
using test::memory_store;
using test::tracked;

CrmRecord user(std::string id, bool active) {
  return CrmRecord{"systemuser", std::move(id), "User", active, -1, {"u@example.com"}};
}

std::unique_ptr<Store> filled_store() {
  auto store = memory_store();
  EXPECT_TRUE(store->put_org(OrgSettings{}));
  EXPECT_TRUE(store->upsert_record(user("u1", true)));
  EXPECT_TRUE(store->upsert_record(user("u2", false)));
  EXPECT_TRUE(store->upsert_record(contact("c1", "Ann", {"ann@example.com"})));
  EXPECT_TRUE(store->upsert_record(contact("c2", "Bob", {"bob@example.com"}, false)));
  EXPECT_TRUE(store->upsert_tracked(tracked("a1", "Quote")));
  return store;
}

TEST(StoreCacheInfo, CountsEveryEntityAndItsActiveRecords) {
  auto store = filled_store();
  auto info = store->cache_info();
  ASSERT_OK(info);
  EXPECT_TRUE(info->has_org);
  EXPECT_TRUE(info->can_decide());
  EXPECT_EQ(info->count.at("systemuser"), 2);
  EXPECT_EQ(info->active.at("systemuser"), 1);
  EXPECT_EQ(info->count.at("contact"), 2);
  EXPECT_EQ(info->active.at("contact"), 1);
  EXPECT_EQ(info->count.at("lead"), 0);
  EXPECT_EQ(info->count.at("email"), 1);
}

TEST(StoreCacheInfo, RoutingCountsUsersAndQueuesOnly) {
  auto store = filled_store();
  auto info = store->cache_info(CacheCounts::Routing);
  ASSERT_OK(info);
  EXPECT_TRUE(info->can_decide());
  EXPECT_EQ(info->count.at("systemuser"), 2);
  EXPECT_EQ(info->active.at("systemuser"), 1);
  EXPECT_EQ(info->count.at("queue"), 0);
  EXPECT_EQ(info->count.count("contact"), 0u);
  EXPECT_EQ(info->count.count("email"), 0u);
  ASSERT_TRUE(store->upsert_record(user("u1", false)));
  EXPECT_FALSE(store->cache_info(CacheCounts::Routing)->can_decide());
}

}  // namespace
}  // namespace crmr
