// What the e-mail create carries of its correlation and acceptance, and the
// requests that put it into its queues and through the record creation rules
// (core/crm/dataverse_correlation.h, dataverse_queue.h), without a server.
#include <gtest/gtest.h>

#include "core/crm/dataverse_correlation.h"
#include "core/crm/dataverse_email.h"
#include "core/crm/dataverse_queue.h"
#include "core/engine/push_message_of.h"
#include "core/report/report.h"
#include "tests/support/result_matchers.h"

namespace crmr::dataverse {
namespace {

const char* kRaw =
    "From: Jane <jane@fabrikam.example>\r\nTo: support@contoso.example, sales@contoso.example\r\n"
    "Subject: Printer\r\nMessage-ID: <p1@fabrikam.example>\r\n\r\nIt is broken.\r\n";

ReportEntry decided() {
  ReportEntry e;
  e.key = e.message_id = "p1@fabrikam.example";
  e.outcome = "queued";
  e.reason = "AcceptAll";
  e.correlation = "none";
  e.parties = {Party{"from", "jane@fabrikam.example", "contact", "c1", "Jane", ""}};
  e.accepted_by = {Acceptor{"queue", "q-support", "Support", "To support@contoso.example"},
                   Acceptor{"systemuser", "u-megan", "Megan", "To megan@contoso.example"},
                   Acceptor{"queue", "q-sales", "Sales", "To sales@contoso.example"}};
  return e;
}

Result<EmailPlan> plan(const ReportEntry& e) { return plan_email(push_message_of(OutboxMessage{3, e.key, kRaw, entry_to_json(e)})); }

TEST(CorrelationFields, EachCorrelationMethodSetsWhatTheWebApiTakesOnCreate) {
  const struct {
    const char* correlation;
    bool parent;
  } cases[] = {{"in_reply_to", true}, {"conversation_index", true}, {"tracking_token", false},
               {"smart_match", false}};
  for (const auto& c : cases) {
    ReportEntry e = decided();
    e.reason = "CorrelationMatch";
    e.correlation = c.correlation;
    e.correlated_activity_id = "a-7";
    auto p = plan(e);
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->email[kCorrelatedBind], "/emails(a-7)") << c.correlation;
    EXPECT_EQ(p->email.contains(kParentBind), c.parent) << c.correlation;
    if (c.parent) {
      EXPECT_EQ(p->email[kParentBind], "/emails(a-7)");
    }
    // Read-only on create: the platform sets them, a create that names them is refused.
    for (const char* field : {"correlationmethod", "conversationindex", "inreplyto"})
      EXPECT_FALSE(p->email.contains(field)) << field;
  }
}

TEST(CorrelationFields, UncorrelatedMailHasNoneAndTheFirstAcceptingQueueAcceptedIt) {
  auto p = plan(decided());
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->email.contains(kCorrelatedBind));
  EXPECT_FALSE(p->email.contains(kParentBind));
  EXPECT_EQ(p->email[kAcceptingBind], "/queues(q-support)");
}

TEST(CorrelationFields, AUserAcceptingFirstIsNoAcceptingEntity) {
  ReportEntry e = decided();
  std::swap(e.accepted_by[0], e.accepted_by[1]);
  auto p = plan(e);
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->email.contains(kAcceptingBind)) << "the Web API's acceptingentityid targets queues only";
  for (auto& [k, v] : p->email.items()) EXPECT_EQ(k.find("acceptingentityid_"), std::string::npos) << k;
}

TEST(QueueItems, ThePlanNamesTheAcceptingQueuesAndTheChangeSetPutsTheNewEmailInEach) {
  auto p = plan(decided());
  ASSERT_TRUE(p);
  ASSERT_EQ(p->queues.size(), 2u);
  EXPECT_EQ(p->queues[0].id, "q-support");
  EXPECT_EQ(p->queues[1].id, "q-sales");
  EXPECT_EQ(change_set(*p, ChangeSetOptions{}).size(), 2u) << "without queue_items: e-mail and state";
  ChangeSetOptions o;
  o.queue_items = true;
  auto parts = change_set(*p, o);
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_EQ(parts[1].method, "PATCH");
  for (std::size_t i = 2; i < 4; ++i) {
    EXPECT_EQ(parts[i].method, "POST");
    EXPECT_EQ(parts[i].url, "/api/data/v9.2/queueitems");
    EXPECT_EQ(parts[i].content_id, std::to_string(i + 1));
    EXPECT_EQ(parts[i].body["objectid_email@odata.bind"], "$1");
  }
  EXPECT_EQ(parts[2].body["queueid@odata.bind"], "/queues(q-support)");
  EXPECT_EQ(parts[3].body["queueid@odata.bind"], "/queues(q-sales)");
}

TEST(QueueItems, TheChangeSetsAnswerGivesEachQueuesItem) {
  auto p = plan(decided());
  ASSERT_TRUE(p);
  auto part = [](const std::string& cid, const std::string& url) {
    BatchPart b;
    b.content_id = cid;
    b.status = 204;
    b.headers = {{"odata-entityid", url}};
    return b;
  };
  std::vector<BatchPart> parts = {part("1", "http://x/api/data/v9.2/emails(e-1)"), part("2", ""),
                                  part("3", "http://x/api/data/v9.2/queueitems(qi-1)"),
                                  part("4", "http://x/api/data/v9.2/queueitems(qi-2)")};
  auto items = queue_items_in_answer(parts, *p);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].queue_id, "q-support");
  EXPECT_EQ(items[0].queue, "Support");
  EXPECT_EQ(items[0].item_id, "qi-1");
  EXPECT_EQ(items[1].item_id, "qi-2");
  EXPECT_TRUE(queue_items_in_answer({parts[0]}, *p).empty());
}

TEST(QueueItems, LookupAddToQueueAndRulesRequests) {
  EXPECT_EQ(queue_item_query("e-1", "q-1"),
            "queueitems?$select=queueitemid&$filter=_objectid_value%20eq%20e-1%20and%20_queueid_value%20eq%20q-1"
            "&$top=1");
  EXPECT_EQ(add_to_queue_url("q-1"), "queues(q-1)/Microsoft.Dynamics.CRM.AddToQueue");
  EXPECT_EQ(nlohmann::json::parse(email_target_body("e-1")),
            (nlohmann::json{{"Target", {{"activityid", "e-1"}, {"@odata.type", "Microsoft.Dynamics.CRM.email"}}}}));
  EXPECT_EQ(regarding_query("e-1"), "emails(e-1)?$select=_regardingobjectid_value");

  auto found = parse_queue_item(HttpResponse{200, {}, R"({"value":[{"queueitemid":"qi-9"}]})"}, "lookup");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->value_or(""), "qi-9");
  auto none = parse_queue_item(HttpResponse{200, {}, R"({"value":[]})"}, "lookup");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
  EXPECT_FALSE(parse_queue_item(HttpResponse{200, {}, R"({"value":[{}]})"}, "lookup"));
  auto added = parse_add_to_queue(HttpResponse{200, {}, R"({"QueueItemId":"qi-3"})"}, "AddToQueue");
  ASSERT_TRUE(added);
  EXPECT_EQ(*added, "qi-3");
  EXPECT_ERROR_CODE(parse_add_to_queue(HttpResponse{200, {}, "{}"}, "AddToQueue"), Code::CrmBadResponse);
  EXPECT_EQ(parse_regarding(HttpResponse{200, {}, R"({"_regardingobjectid_value":null})"}, "r").value_or("x"), "");
  EXPECT_EQ(parse_regarding(HttpResponse{200, {}, R"({"_regardingobjectid_value":"i-1"})"}, "r").value_or(""), "i-1");
}

}  // namespace
}  // namespace crmr::dataverse
