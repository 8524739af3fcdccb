// Store: the decision's lookups remembered within a snapshot (SnapshotMemo)
// answer exactly as SQLite would, whatever another connection or the store
// itself writes in between.
#include <gtest/gtest.h>

#include "storage/store.h"
#include "tests/storage/storage_test_util.h"

namespace crmr {
namespace {

using test::contact;
using test::TempDir;
using test::tracked;

TrackedEmail with_id(std::string activity, std::string message_id, std::string subject) {
  TrackedEmail e = tracked(std::move(activity), std::move(subject));
  e.message_id = std::move(message_id);
  return e;
}

std::vector<std::int32_t> hashes_of(const Store& store, const std::string& subject) {
  const OrgSettings org = store.org();
  return subject_hashes(subject, org.hash_filter_keywords, org.hash_max_count);
}

struct Stores {
  TempDir dir;
  std::unique_ptr<Store> writer, reader;
  Stores() {
    const std::string path = dir.file("cache.db");
    auto w = Store::open(path, OpenMode::ReadWrite);
    EXPECT_OK(w);
    writer = std::move(*w);
    EXPECT_OK(writer->upsert_tracked(with_id("a1", "first@example.com", "Pump quote")));
    auto r = Store::open(path, OpenMode::ReadOnly);
    EXPECT_OK(r);
    reader = std::move(*r);
  }
};

TEST(SnapshotMemo, ASnapshotKeepsItsAnswersAndTheNextSeesAnotherConnectionsCommit) {
  Stores s;
  ASSERT_OK(s.reader->begin());
  EXPECT_FALSE(s.reader->tracked_by_message_id("second@example.com"));
  EXPECT_EQ(s.reader->tracked_by_subject_hashes(hashes_of(*s.reader, "Pump quote")).size(), 1u);
  EXPECT_TRUE(s.reader->records_by_address("Ann@Example.com").empty());
  ASSERT_OK(s.writer->upsert_tracked(with_id("a2", "second@example.com", "Pump quote")));
  ASSERT_OK(s.writer->upsert_record(contact("c1", "Ann", {"ann@example.com"})));
  // The same snapshot: what SQLite itself answers in it.
  EXPECT_FALSE(s.reader->tracked_by_message_id("second@example.com"));
  EXPECT_EQ(s.reader->tracked_by_subject_hashes(hashes_of(*s.reader, "Pump quote")).size(), 1u);
  EXPECT_TRUE(s.reader->records_by_address("ann@example.com").empty());
  ASSERT_OK(s.reader->commit());
  ASSERT_OK(s.reader->begin());
  auto found = s.reader->tracked_by_message_id("second@example.com");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->activity_id, "a2");
  EXPECT_EQ(s.reader->tracked_by_subject_hashes(hashes_of(*s.reader, "Pump quote")).size(), 2u);
  auto records = s.reader->records_by_address("ann@example.com");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].id, "c1");
  ASSERT_OK(s.reader->commit());
  EXPECT_TRUE(s.reader->status());
}

TEST(SnapshotMemo, SnapshotsWithNothingCommittedBetweenThemAnswerAlike) {
  Stores s;
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(s.reader->begin());
    auto found = s.reader->tracked_by_message_id("first@example.com");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->subject, "Pump quote");
    EXPECT_FALSE(s.reader->tracked_by_message_id("second@example.com"));
    ASSERT_OK(s.reader->commit());
  }
}

TEST(SnapshotMemo, WithoutATransactionEveryLookupReadsWhatIsCommitted) {
  Stores s;
  EXPECT_FALSE(s.reader->tracked_by_message_id("second@example.com"));
  ASSERT_OK(s.writer->upsert_tracked(with_id("a2", "second@example.com", "Pump quote")));
  EXPECT_TRUE(s.reader->tracked_by_message_id("second@example.com"));
  EXPECT_EQ(s.reader->tracked_by_subject_hashes(hashes_of(*s.reader, "Pump quote")).size(), 2u);
}

TEST(SnapshotMemo, OwnWritesAreSeenAndForgottenWhenRolledBack) {
  Stores s;
  Store& w = *s.writer;
  ASSERT_OK(w.begin());
  EXPECT_FALSE(w.tracked_by_message_id("second@example.com"));
  EXPECT_EQ(w.tracked_by_subject_hashes(hashes_of(w, "Pump quote")).size(), 1u);
  ASSERT_OK(w.upsert_tracked(with_id("a2", "second@example.com", "Pump quote")));
  EXPECT_TRUE(w.tracked_by_message_id("second@example.com"));
  EXPECT_EQ(w.tracked_by_subject_hashes(hashes_of(w, "Pump quote")).size(), 2u);
  w.rollback();
  ASSERT_OK(w.begin());
  EXPECT_FALSE(w.tracked_by_message_id("second@example.com"));
  EXPECT_EQ(w.tracked_by_subject_hashes(hashes_of(w, "Pump quote")).size(), 1u);
  ASSERT_OK(w.commit());
}

}  // namespace
}  // namespace crmr
