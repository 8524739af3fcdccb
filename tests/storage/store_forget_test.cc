// Store: selecting ledger rows and forgetting them (`forget`).
#include "storage/store.h"

#include <gtest/gtest.h>

#include "tests/storage/storage_test_util.h"
#include "tests/support/result_matchers.h"

namespace crmr {
namespace {

using test::memory_store;
using test::processed;

std::vector<std::string> keys_of(const Store& s, const LedgerFilter& f) {
  std::vector<std::string> keys;
  EXPECT_TRUE(s.for_each_ledger_row(f, [&](const LedgerRow& r) -> Status {
    keys.push_back(r.key);
    return {};
  }));
  return keys;
}

// Run 1: tossed t1 (reason NoRecipientMatch, Message-ID a@b), queued q1 then
// pushed p1, quarantined x1; run 2: tossed t2 (Message-ID other@b).
std::unique_ptr<Store> ledger() {
  auto s = memory_store();
  auto t1 = processed("t1", "tossed");
  t1.reason = "NoRecipientMatch";
  EXPECT_TRUE(s->record_processed(1, t1));
  EXPECT_TRUE(s->record_processed(1, processed("q1", "queued")));
  EXPECT_TRUE(s->record_processed(1, processed("p1", "queued")));
  EXPECT_TRUE(s->record_processed(1, processed("x1", "quarantined")));
  auto t2 = processed("t2", "tossed");
  t2.message_id = "other@b";
  EXPECT_TRUE(s->record_processed(2, t2));
  auto pending = s->outbox_pending(10);
  for (const auto& item : *pending) {
    if (item.key == "p1") {
      EXPECT_TRUE(s->outbox_done(item.id, "act-1"));
    }
  }
  return s;
}

TEST(StoreForget, FiltersNarrowEachOtherAndIdsOrKeysNameMessages) {
  auto s = ledger();
  EXPECT_EQ(keys_of(*s, {}), (std::vector<std::string>{"p1", "q1", "t1", "t2", "x1"}));
  LedgerFilter f;
  f.run_id = 1;
  f.outcomes = {"tossed", "pushed"};
  EXPECT_EQ(keys_of(*s, f), (std::vector<std::string>{"p1", "t1"}));
  f.reasons = {"NoRecipientMatch"};
  EXPECT_EQ(keys_of(*s, f), (std::vector<std::string>{"t1"}));
  LedgerFilter ids;
  ids.message_ids = {"other@b"};
  ids.keys = {"x1"};
  EXPECT_EQ(keys_of(*s, ids), (std::vector<std::string>{"t2", "x1"}));
  LedgerFilter quote;
  quote.keys = {"t1' OR 1=1 --"};  // values are bound, never spliced
  EXPECT_TRUE(keys_of(*s, quote).empty());
}

TEST(StoreForget, RemovesLedgerAndOutboxRowsButNeverQuarantine) {
  auto s = ledger();
  LedgerFilter f;
  f.outcomes = {"tossed", "queued", "pushed"};
  auto removed = s->ledger_forget(f);
  ASSERT_OK(removed);
  EXPECT_EQ(*removed, 4);
  EXPECT_EQ(keys_of(*s, {}), std::vector<std::string>{"x1"});
  auto stats = s->cache_stats();
  EXPECT_EQ((*stats)["outbox_pending"], 0);
  EXPECT_EQ((*stats)["quarantine"], 1);
  // Queued again, the pending one and the delivered one: the outbox takes
  // both keys anew (a row left behind would swallow the new one).
  ASSERT_TRUE(s->record_processed(3, processed("q1", "queued")));
  ASSERT_TRUE(s->record_processed(3, processed("p1", "queued")));
  EXPECT_EQ(s->outbox_pending(10)->size(), 2u);
}

TEST(StoreForget, RollsBackWithTheOpenTransaction) {
  auto s = ledger();
  ASSERT_TRUE(s->begin());
  LedgerFilter f;
  f.keys = {"t1"};
  ASSERT_EQ(*s->ledger_forget(f), 1);
  s->rollback();
  EXPECT_TRUE(s->ledger_has("t1"));
}

}  // namespace
}  // namespace crmr
