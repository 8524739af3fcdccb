// Store: key/value state and the POP3 UIDLs (schema version 2).
#include "storage/db.h"
#include "storage/schema.h"
#include "tests/storage/storage_test_util.h"
#include "tests/support/result_matchers.h"

namespace crmr::test {
namespace {

TEST(StoreState, MissingKeyReadsAsNothingAndSetOverwrites) {
  auto store = Store::open(":memory:", OpenMode::ReadWrite);
  ASSERT_TRUE(store);
  EXPECT_FALSE((*store)->state_get("cursor/a/INBOX").value());
  ASSERT_TRUE((*store)->state_set("cursor/a/INBOX", "one"));
  ASSERT_TRUE((*store)->state_set("cursor/a/INBOX", "two"));
  EXPECT_EQ((*store)->state_get("cursor/a/INBOX").value(), "two");
}

TEST(StoreState, ReadOnlyStoreRefusesToWriteState) {
  TempDir dir;
  auto store = Store::open(dir.file("absent.db"), OpenMode::ReadOnly);
  ASSERT_TRUE(store);
  EXPECT_FALSE((*store)->state_get("k").value());
  EXPECT_ERROR_CODE((*store)->state_set("k", "v"), Code::StoreReadOnly);
  EXPECT_ERROR_CODE((*store)->pop3_mark_seen("m", {"u"}), Code::StoreReadOnly);
}

TEST(StorePop3Seen, RemembersAndForgetsPerMailbox) {
  auto store = Store::open(":memory:", OpenMode::ReadWrite);
  ASSERT_TRUE(store);
  auto& s = **store;
  ASSERT_TRUE(s.pop3_mark_seen("a", {"u1", "u2", "u2"}));
  ASSERT_TRUE(s.pop3_mark_seen("b", {"u1"}));
  EXPECT_EQ(s.pop3_seen("a").value(), (std::vector<std::string>{"u1", "u2"}));
  ASSERT_TRUE(s.pop3_forget("a", {"u1", "never-there"}));
  EXPECT_EQ(s.pop3_seen("a").value(), std::vector<std::string>{"u2"});
  EXPECT_EQ(s.pop3_seen("b").value(), std::vector<std::string>{"u1"});
}

TEST(StoreState, Version1DatabaseGainsThePop3TableOnOpen) {
  TempDir dir;
  const std::string path = dir.file("v1.db");
  test::database_at_version(path, 1, "INSERT INTO state VALUES ('k', 'v', 'now')");
  auto store = Store::open(path, OpenMode::ReadWrite);
  ASSERT_OK(store);
  EXPECT_EQ((*store)->schema_version(), current_schema_version());
  EXPECT_EQ((*store)->state_get("k").value(), "v");
  EXPECT_TRUE((*store)->pop3_mark_seen("m", {"u"}));
}

}  // namespace
}  // namespace crmr::test
