// The duplicate check of many messages without a server: the In and or-joined
// queries, how many messageids go into one URL, and how the answer's rows are
// matched back to the messages.
#include <gtest/gtest.h>

#include "core/crm/dataverse_duplicate_lookup.h"
#include "core/crm/dataverse_email.h"
#include "core/engine/push_message_of.h"
#include "core/report/report.h"
#include "tests/support/result_matchers.h"

namespace crmr::dataverse {
namespace {

HttpResponse answer(const std::string& body) { return HttpResponse{200, {}, body}; }

TEST(DuplicateLookup, InAndOrQueriesQuoteAndEncodeEveryMessageId) {
  EXPECT_EQ(duplicate_lookup_query({"<a'b@x>", "<c@y>"}, LookupSyntax::In),
            "emails?$select=activityid,statecode,messageid,directioncode&$filter="
            "Microsoft.Dynamics.CRM.In%28PropertyName%3D%27messageid%27%2CPropertyValues%3D%5B"
            "%27%3Ca%27%27b%40x%3E%27%2C%27%3Cc%40y%3E%27%5D%29");
  EXPECT_EQ(duplicate_lookup_query({"<a@x>", "<c@y>"}, LookupSyntax::Or),
            "emails?$select=activityid,statecode,messageid,directioncode&$filter="
            "messageid%20eq%20%27%3Ca%40x%3E%27%20or%20messageid%20eq%20%27%3Cc%40y%3E%27");
}

TEST(DuplicateLookup, ChunksStayWithinTheUrlLimitAndFiftyMessages) {
  const std::string base = "https://contoso.crm4.dynamics.com/api/data/v9.2/";
  std::vector<std::string> shortids, longids;
  for (int i = 0; i < 200; ++i) {
    shortids.push_back("<" + std::to_string(i) + "@x>");
    longids.push_back("<CAF" + std::string(60, 'q') + std::to_string(i) + "@mail.example.com>");
  }
  for (auto syntax : {LookupSyntax::In, LookupSyntax::Or}) {
    for (const auto* ids : {&shortids, &longids}) {
      std::size_t first = 0, lookups = 0;
      while (first < ids->size()) {
        const std::size_t n = lookup_chunk(*ids, first, syntax, base.size());
        ASSERT_GE(n, 1u);
        EXPECT_LE(n, kLookupMessages);
        std::vector<std::string> chunk(ids->begin() + first, ids->begin() + first + n);
        EXPECT_LE(base.size() + duplicate_lookup_query(chunk, syntax).size(), kLookupUrlLimit);
        first += n;
        ++lookups;
      }
      if (ids == &shortids && syntax == LookupSyntax::In) {
        EXPECT_EQ(lookups, 4u);  // 50 at a time
      }
      EXPECT_LE(lookups, ids->size() / 10) << "too few messageids per lookup";
    }
  }
  // One messageid longer than the limit still gets its (single) lookup.
  EXPECT_EQ(lookup_chunk({std::string(3000, 'x'), "<b@x>"}, 0, LookupSyntax::In, base.size()), 1u);
  EXPECT_EQ(lookup_chunk({"<a@x>"}, 1, LookupSyntax::In, base.size()), 0u);
}

TEST(DuplicateLookup, RowsMatchMessagesWithoutCaseAndReceivedOnlySkipsSentCopies) {
  auto a = parse_lookup_answer(answer(R"({"value":[
      {"activityid":"e1","statecode":1,"messageid":"<A@X>","directioncode":false},
      {"activityid":"s2","statecode":1,"messageid":"<b@x>","directioncode":true},
      {"activityid":"e3","statecode":0,"messageid":"<c@x>","directioncode":false}]})"),
                               "lookup");
  ASSERT_OK(a);
  EXPECT_TRUE(a->complete);
  auto found = found_in(*a, "<a@x>", false);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->activity_id, "e1");
  EXPECT_EQ(found->statecode, 1);
  EXPECT_EQ(found_in(*a, "<b@x>", false)->activity_id, "s2");
  EXPECT_FALSE(found_in(*a, "<b@x>", true));  // only the sender's sent copy is there
  EXPECT_EQ(found_in(*a, "<c@x>", true)->statecode, kStateOpen);
  EXPECT_FALSE(found_in(*a, "<d@x>", false));

  auto paged = parse_lookup_answer(answer(R"({"value":[],"@odata.nextLink":"https://x/next"})"), "lookup");
  ASSERT_OK(paged);
  EXPECT_FALSE(paged->complete);
  auto bad = parse_lookup_answer(answer(R"({"value":[{"activityid":"e1"}]})"), "lookup");
  ASSERT_FALSE(bad);
  EXPECT_ERROR_CODE(bad, Code::CrmBadResponse);
  EXPECT_FALSE(parse_lookup_answer(answer("<html>"), "lookup"));
}

TEST(DuplicateLookup, MessageKeyIsThePlansMessageIdWithoutParsingWhenTheDecisionHasIt) {
  ReportEntry e;
  e.message_id = "m1@x";
  e.reason = "InternalEmailSecondActivity";
  PushMessage m = push_message_of(
      OutboxMessage{7, "k7", "From: a@x\r\nTo: b@y\r\nSubject: s\r\nMessage-ID: <m1@x>\r\n\r\nbody\r\n",
                    entry_to_json(e)});
  auto key = message_key(m);
  ASSERT_OK(key);
  auto plan = plan_email(m);
  ASSERT_OK(plan);
  EXPECT_EQ(key->message_id, plan->message_id);
  EXPECT_EQ(key->received_only, plan->beside_sent_copy);
  EXPECT_TRUE(key->received_only);
  // No Message-ID anywhere: made of the key, as the plan makes it.
  ReportEntry none;
  PushMessage bare = push_message_of(OutboxMessage{8, "k8", "From: a@x\r\nSubject: s\r\n\r\nbody\r\n", entry_to_json(none)});
  ASSERT_OK(message_key(bare));
  EXPECT_EQ(message_key(bare)->message_id, "<k8@crm-router.invalid>");
  EXPECT_EQ(message_key(bare)->message_id, plan_email(bare)->message_id);
}

}  // namespace
}  // namespace crmr::dataverse
