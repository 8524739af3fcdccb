// Specification of Decision::accepted_by: every CRM user and queue whose
// filtering method takes an accepted message, in recipient order (mailbox
// owner first, then To, Cc, Bcc). Push puts the e-mail into each queue among
// them and names the first as its accepting entity.
#include <gtest/gtest.h>

#include "core/decision/decision.h"
#include "tests/core/decision/decision_fixture.h"

namespace crmr {
namespace {

using test::contains;
using test::find_step;
using test::mail;
using test::MemoryCache;

MemoryCache contoso() {
  MemoryCache c;
  c.queue("support@contoso.example", "q-support", 0);
  c.queue("sales@contoso.example", "q-sales", 2);
  c.queue("closed@contoso.example", "q-closed", 4);
  c.queue("replies@contoso.example", "q-replies", 1);
  c.queue("old@contoso.example", "q-old", 0, /*active=*/false);
  c.user("adele@contoso.example", "u-adele", 1);
  c.user("megan@contoso.example", "u-megan", 0);
  c.record("jane@customer.example", "contact", "c-jane", "Jane");
  c.settings.ignore_internal_email = false;
  return c;
}

std::vector<std::string> ids(const Decision& d) {
  std::vector<std::string> out;
  for (const auto& a : d.accepted_by) out.push_back(a.id);
  return out;
}

TEST(AcceptedBy, EveryQueueAndUserWhoseFilterTakesTheMessageInRecipientOrder) {
  auto cache = contoso();
  Message m = mail("jane@customer.example",
                   {"sales@contoso.example", "closed@contoso.example", "adele@contoso.example"});
  m.cc.push_back(test::addr("support@contoso.example"));
  m.cc.push_back(test::addr("old@contoso.example"));
  m.bcc.push_back(test::addr("megan@contoso.example"));
  auto d = decide(m, "k", cache, Policy{});
  ASSERT_TRUE(d.accepted);
  // Sales (2) takes a contact, Closed (4) nothing, Adele (1) only correlated
  // mail, Support (0) all, the inactive queue is no recipient, Megan (0) all.
  EXPECT_EQ(ids(d), (std::vector<std::string>{"q-sales", "q-support", "u-megan"}));
  EXPECT_EQ(d.accepted_by[0].entity, "queue");
  EXPECT_EQ(d.accepted_by[0].name, "Queue q-sales");
  EXPECT_EQ(d.accepted_by[0].via, "To sales@contoso.example");
  EXPECT_EQ(d.accepted_by[1].via, "Cc support@contoso.example");
  EXPECT_EQ(d.accepted_by[2].via, "Bcc megan@contoso.example");
  auto* step = find_step(d, "acceptance.accepted_by");
  ASSERT_NE(step, nullptr);
  EXPECT_TRUE(step->fired);
  EXPECT_TRUE(contains(step->detail, "goes into queues Queue q-sales and Queue q-support")) << step->detail;
}

TEST(AcceptedBy, AQueueThatRefusesTheSenderIsNotAmongThem) {
  auto cache = contoso();
  auto d = decide(mail("stranger@else.example", {"sales@contoso.example", "support@contoso.example"}), "k",
                  cache, Policy{});
  ASSERT_TRUE(d.accepted);
  EXPECT_EQ(ids(d), (std::vector<std::string>{"q-support"}));
}

TEST(AcceptedBy, CorrelatedMailIsTakenByEveryRecipientButThoseThatTakeNothing) {
  auto cache = contoso();
  cache.tracked.push_back(test::Tracked("act-1").message_id("parent@contoso.example"));
  Message m = mail("stranger@else.example",
                   {"replies@contoso.example", "sales@contoso.example", "closed@contoso.example"});
  m.in_reply_to = {"parent@contoso.example"};
  auto d = decide(m, "k", cache, Policy{});
  ASSERT_TRUE(d.accepted);
  EXPECT_EQ(d.reason, "CorrelationMatch");
  EXPECT_EQ(d.correlated_activity_id, "act-1");
  EXPECT_EQ(ids(d), (std::vector<std::string>{"q-replies", "q-sales"}));
}

TEST(AcceptedBy, AQueueMailboxOwnerTakesItEvenWhenNotAddressed) {
  auto cache = contoso();
  Policy p;
  p.role = MailboxRole{MailboxRole::Queue, "support@contoso.example"};
  auto d = decide(mail("stranger@else.example", {"someone@else.example"}), "k", cache, p);
  ASSERT_TRUE(d.accepted);
  ASSERT_EQ(d.accepted_by.size(), 1u);
  EXPECT_EQ(d.accepted_by[0].id, "q-support");
  EXPECT_EQ(d.accepted_by[0].via, "mailbox owner support@contoso.example");
}

TEST(AcceptedBy, TossedMessagesHaveNone) {
  auto cache = contoso();
  auto d = decide(mail("stranger@else.example", {"closed@contoso.example"}), "k", cache, Policy{});
  EXPECT_FALSE(d.accepted);
  EXPECT_TRUE(d.accepted_by.empty());
  EXPECT_EQ(find_step(d, "acceptance.accepted_by"), nullptr);
}

}  // namespace
}  // namespace crmr
