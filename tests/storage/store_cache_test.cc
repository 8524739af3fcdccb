// Store: the cache (organisation settings, records, tracked e-mails).
#include "storage/store.h"

#include <gtest/gtest.h>

#include "core/base/normalize.h"
#include "tests/storage/storage_test_util.h"
#include "tests/support/result_matchers.h"

namespace crmr {
namespace {

using test::contact;
using test::memory_store;
using test::processed;
using test::read_bytes;
using test::TempDir;
using test::thread_index;
using test::tracked;

// --- organisation settings

TEST(StoreOrg, DefaultsWhenNothingIsStored) {
  auto store = memory_store();
  OrgSettings org = store->org();
  EXPECT_EQ(org.tracking_prefixes, std::vector<std::string>{"CRM:"});
  EXPECT_EQ(org.blocked_extensions, default_blocked_extensions());
  EXPECT_EQ(org.hash_max_count, 20);
}

TEST(StoreOrg, RoundTripsEveryField) {
  auto store = memory_store();
  OrgSettings org;
  org.tracking_prefixes = {"NEW:", " CRM: "};
  org.token_id_base = 100;
  org.token_id_digits = 4;
  org.max_tracking_number = 9999;
  org.correlation_enabled = false;
  org.smart_matching = true;
  org.hash_filter_keywords = "^x";
  org.hash_max_count = 5;
  org.hash_delta_subject_count = 1;
  org.hash_min_address_count = 3;
  org.ignore_internal_email = false;
  org.unresolve_if_multiple_match = true;
  org.max_upload_file_size = 1 << 30;
  org.blocked_extensions = {".EXE", "js", ""};
  ASSERT_TRUE(store->put_org(org));
  OrgSettings back = store->org();
  EXPECT_EQ(back.tracking_prefixes, (std::vector<std::string>{"NEW:", "CRM:"}));
  EXPECT_EQ(back.token_id_base, 100);
  EXPECT_EQ(back.token_id_digits, 4);
  EXPECT_EQ(back.max_tracking_number, 9999);
  EXPECT_FALSE(back.correlation_enabled);
  EXPECT_TRUE(back.smart_matching);
  EXPECT_EQ(back.hash_filter_keywords, "^x");
  EXPECT_EQ(back.hash_max_count, 5);
  EXPECT_EQ(back.hash_delta_subject_count, 1);
  EXPECT_EQ(back.hash_min_address_count, 3);
  EXPECT_FALSE(back.ignore_internal_email);
  EXPECT_TRUE(back.unresolve_if_multiple_match);
  EXPECT_EQ(back.max_upload_file_size, 1 << 30);
  EXPECT_EQ(back.blocked_extensions, (std::vector<std::string>{"exe", "js"}));
}

// --- records

TEST(StoreRecords, LookupByNormalisedAddressReturnsActiveAndInactive) {
  auto store = memory_store();
  ASSERT_TRUE(store->upsert_record(contact("c1", "Alice", {"Alice@Example.COM", "a2@x"})));
  ASSERT_TRUE(store->upsert_record(contact("c2", "Alice old", {"alice@example.com"}, false)));
  ASSERT_TRUE(store->upsert_record(CrmRecord{"systemuser", "u1", "Bob", true, 2, {"bob@x"}}));
  auto found = store->records_by_address(" <ALICE@example.com> ");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].id, "c1");
  EXPECT_TRUE(found[0].active);
  EXPECT_EQ(found[1].id, "c2");
  EXPECT_FALSE(found[1].active);
  auto bob = store->records_by_address("bob@x");
  ASSERT_EQ(bob.size(), 1u);
  EXPECT_EQ(bob[0].entity, "systemuser");
  EXPECT_EQ(bob[0].filtering_method, 2);
  EXPECT_TRUE(store->records_by_address("nobody@x").empty());
  EXPECT_TRUE(store->records_by_address("").empty());
}

TEST(StoreRecords, UpsertReplacesNameStateAndAddresses) {
  auto store = memory_store();
  ASSERT_TRUE(store->upsert_record(contact("c1", "Alice", {"old@x", "keep@x"})));
  ASSERT_TRUE(store->upsert_record(contact("c1", "Alice New", {"keep@x", "new@x"}, false)));
  EXPECT_TRUE(store->records_by_address("old@x").empty());
  auto found = store->records_by_address("new@x");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].name, "Alice New");
  EXPECT_FALSE(found[0].active);
  EXPECT_EQ(store->cache_stats()->at("contact"), 1);
}

TEST(StoreRecords, SameIdInAnotherEntityIsAnotherRecord) {
  auto store = memory_store();
  ASSERT_TRUE(store->upsert_record(contact("x1", "C", {"same@x"})));
  ASSERT_TRUE(store->upsert_record(CrmRecord{"lead", "x1", "L", true, -1, {"same@x"}}));
  EXPECT_EQ(store->records_by_address("same@x").size(), 2u);
}

TEST(StoreRecords, DeletingARecordRemovesItsAddresses) {
  auto store = memory_store();
  ASSERT_TRUE(store->upsert_record(contact("c1", "Alice", {"a@x", "b@x"})));
  ASSERT_TRUE(store->upsert_record(contact("c2", "Bea", {"b@x"})));
  ASSERT_TRUE(store->delete_record("contact", "c1"));
  EXPECT_TRUE(store->records_by_address("a@x").empty());
  ASSERT_EQ(store->records_by_address("b@x").size(), 1u);
  EXPECT_TRUE(store->delete_record("contact", "never-there"));
  EXPECT_EQ(store->cache_stats()->at("contact"), 1);
}

TEST(StoreRecords, RecordWithoutIdOrEntityIsRefused) {
  auto store = memory_store();
  EXPECT_ERROR_CODE(store->upsert_record(contact("", "No id", {"a@x"})), Code::StoreInvalidRecord);
  EXPECT_FALSE(store->upsert_record(CrmRecord{"", "id", "", true, -1, {}}));
}

// --- tracked e-mails

TEST(StoreTracked, LookupsUseNormalisedForms) {
  auto store = memory_store();
  TrackedEmail e = tracked("a1", "Quote 1234");
  e.message_id = "<CAF1@Mail.Example.COM>";
  e.tracking_token = "crm: 0001001";
  e.conversation_index = thread_index(1);
  e.outgoing = true;
  e.regarding_entity = "opportunity";
  e.regarding_id = "o1";
  e.recipients = {"Alice@Example.com", "<bob@x>"};
  ASSERT_TRUE(store->upsert_tracked(e));

  auto by_id = store->tracked_by_message_id("CAF1@mail.example.com");
  ASSERT_TRUE(by_id);
  EXPECT_EQ(by_id->activity_id, "a1");
  EXPECT_EQ(by_id->message_id, "CAF1@mail.example.com");
  EXPECT_EQ(by_id->tracking_token, "CRM:0001001");
  EXPECT_EQ(by_id->conversation_index, e.conversation_index);
  EXPECT_TRUE(by_id->outgoing);
  EXPECT_EQ(by_id->regarding_entity, "opportunity");
  EXPECT_EQ(by_id->regarding_id, "o1");
  EXPECT_EQ(by_id->recipients, (std::vector<std::string>{"alice@example.com", "bob@x"}));
  EXPECT_FALSE(store->tracked_by_message_id("caf1@mail.example.com"));  // local part kept

  EXPECT_TRUE(store->tracked_by_token("CRM:0001001"));
  EXPECT_TRUE(store->tracked_by_token("crm:0001001"));
  EXPECT_FALSE(store->tracked_by_token("CRM:0001002"));
  EXPECT_FALSE(store->tracked_by_token(""));

  auto key = conversation_key(thread_index(1));
  ASSERT_TRUE(key);
  EXPECT_TRUE(store->tracked_by_conversation(*key));
  EXPECT_FALSE(store->tracked_by_conversation(*conversation_key(thread_index(2))));
  EXPECT_FALSE(store->tracked_by_conversation(""));
}

TEST(StoreTracked, EmptyKeysMatchNothing) {
  auto store = memory_store();
  ASSERT_TRUE(store->upsert_tracked(tracked("a1", "")));
  EXPECT_FALSE(store->tracked_by_message_id(""));
  EXPECT_FALSE(store->tracked_by_token(""));
  EXPECT_FALSE(store->tracked_by_conversation(""));
}

TEST(StoreTracked, UpsertReplacesByActivityId) {
  auto store = memory_store();
  TrackedEmail e = tracked("a1", "first");
  e.tracking_token = "CRM:0001001";
  ASSERT_TRUE(store->upsert_tracked(e));
  e.tracking_token = "CRM:0001002";
  e.subject = "second";
  ASSERT_TRUE(store->upsert_tracked(e));
  EXPECT_FALSE(store->tracked_by_token("CRM:0001001"));
  ASSERT_TRUE(store->tracked_by_token("CRM:0001002"));
  EXPECT_EQ(store->tracked_by_token("CRM:0001002")->subject, "second");
  EXPECT_EQ(store->cache_stats()->at("email"), 1);
}

TEST(StoreTracked, SeveralMatchesPreferTheOneWithARegardingRecord) {
  auto store = memory_store();
  TrackedEmail with = tracked("a1", "s");
  with.conversation_index = thread_index(7);
  with.regarding_entity = "incident";
  with.regarding_id = "i1";
  TrackedEmail without = tracked("a2", "s");
  without.conversation_index = thread_index(7);
  ASSERT_TRUE(store->upsert_tracked(with));
  ASSERT_TRUE(store->upsert_tracked(without));
  auto found = store->tracked_by_conversation(*conversation_key(thread_index(7)));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->activity_id, "a1");
}

TEST(StoreTracked, SmartMatchFindsSharedSubjectHashesBestFirst) {
  auto store = memory_store();
  ASSERT_TRUE(store->upsert_tracked(tracked("a1", "Quote 1234 for pumps")));
  ASSERT_TRUE(store->upsert_tracked(tracked("a2", "Invoice 99 for pumps")));
  ASSERT_TRUE(store->upsert_tracked(tracked("a3", "Unrelated")));
  const OrgSettings org = store->org();
  auto hashes = subject_hashes("RE: FW: Quote 1234 for pumps", org.hash_filter_keywords,
                               org.hash_max_count);
  auto found = store->tracked_by_subject_hashes(hashes);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].activity_id, "a1");  // 4 words in common
  EXPECT_EQ(found[1].activity_id, "a2");  // "for pumps"
  EXPECT_TRUE(store->tracked_by_subject_hashes({}).empty());
}

TEST(StoreTracked, ChangingTheHashSettingsRecomputesEveryEmailsHashes) {
  auto store = memory_store();
  ASSERT_TRUE(store->upsert_tracked(tracked("a1", "Quote: pumps")));
  OrgSettings org = store->org();
  auto pumps = subject_hashes("pumps", "", 20);
  ASSERT_EQ(store->tracked_by_subject_hashes(pumps).size(), 1u);
  // A filter that strips nothing: "quote:" becomes a word of its own.
  org.hash_filter_keywords = "^$";
  ASSERT_TRUE(store->put_org(org));
  EXPECT_EQ(store->tracked_by_subject_hashes(subject_hashes("quote:", "", 20)).size(), 1u);
  // At most one hash per subject: only the smallest is kept.
  org.hash_max_count = 1;
  ASSERT_TRUE(store->put_org(org));
  auto all = subject_hashes("Quote: pumps", "^$", 20);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(store->tracked_by_subject_hashes({all[0]}).size(), 1u);
  EXPECT_TRUE(store->tracked_by_subject_hashes({all[1]}).empty());
}

}  // namespace
}  // namespace crmr
