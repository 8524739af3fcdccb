// Specification of mail between CRM users in decide(), as the organisation's
// ignoreinternalemail shapes it. Dynamics' System Settings show the same
// column inverted as "Track emails sent between users as two activities":
//   ignoreinternalemail on  (one activity, the default): the sender's copy is
//     the only activity; the recipients' copy is InternalEmailReject, or a
//     Duplicate of the sender's tracked copy;
//   ignoreinternalemail off (two activities): the recipients' copy of mail the
//     CRM tracks as the sender's sent e-mail is a second activity
//     (InternalEmailSecondActivity); untracked mail between users goes through
//     the recipients' filtering like any other mail.
#include <gtest/gtest.h>

#include "core/decision/decision.h"
#include "tests/core/decision/decision_fixture.h"

namespace crmr {
namespace {

using test::contains;
using test::find_step;
using test::mail;
using test::MemoryCache;

constexpr char kSentId[] = "weekly@contoso.example";

// carol@ and bob@ are CRM users (bob takes only correlated mail); the CRM
// tracks carol's sent e-mail kSentId to bob, regarding an opportunity.
MemoryCache users(bool ignore_internal_email) {
  MemoryCache c;
  c.user("carol@contoso.example", "u-carol", 0);
  c.user("bob@contoso.example", "u-bob", 1);
  c.queue("support@contoso.example", "q-support", 0);
  c.record("contact@customer.example", "contact", "c-1", "Connie Contact");
  c.settings.ignore_internal_email = ignore_internal_email;
  c.tracked.push_back(test::Tracked("act-sent")
                          .message_id(kSentId)
                          .outgoing(true)
                          .regarding_entity("opportunity")
                          .regarding_id("opp-1"));
  return c;
}

Message recipients_copy(std::vector<std::string> to = {"bob@contoso.example"}) {
  return mail("carol@contoso.example", std::move(to), "Weekly numbers", kSentId);
}

TEST(InternalEmail, TwoActivitiesMakeTheRecipientsCopyASecondActivity) {
  auto cache = users(/*ignore_internal_email=*/false);
  auto d = decide(recipients_copy(), "k", cache, Policy{});
  EXPECT_EQ(d.outcome, Outcome::Queued);
  EXPECT_TRUE(d.accepted);
  EXPECT_EQ(d.reason, "InternalEmailSecondActivity");
  EXPECT_EQ(d.correlated_activity_id, "act-sent");
  ASSERT_TRUE(d.regarding);
  EXPECT_EQ(d.regarding->entity, "opportunity");
  EXPECT_EQ(d.regarding->id, "opp-1");
  const Step* dup = find_step(d, "duplicate.crm_message_id");
  ASSERT_TRUE(dup);
  EXPECT_FALSE(dup->fired);
  EXPECT_TRUE(contains(dup->detail, "two activities")) << dup->detail;
  EXPECT_FALSE(d.parties.empty());  // resolved like any pushed message
}

TEST(InternalEmail, OneActivityLeavesTheSendersCopyAlone) {
  auto cache = users(/*ignore_internal_email=*/true);
  auto d = decide(recipients_copy(), "k", cache, Policy{});
  EXPECT_EQ(d.outcome, Outcome::Duplicate);
  EXPECT_EQ(d.reason, "Duplicate");
  EXPECT_EQ(d.correlated_activity_id, "act-sent");
  EXPECT_TRUE(contains(find_step(d, "duplicate.crm_message_id")->detail, "one activity"));
}

TEST(InternalEmail, OneActivityRejectsUntrackedMailBetweenUsers) {
  auto cache = users(/*ignore_internal_email=*/true);
  auto m = mail("carol@contoso.example", {"bob@contoso.example", "support@contoso.example"},
                "Lunch?", "lunch@contoso.example");
  auto d = decide(m, "k", cache, Policy{});
  EXPECT_EQ(d.outcome, Outcome::Tossed);
  EXPECT_EQ(d.reason, "InternalEmailReject");
  EXPECT_TRUE(find_step(d, "internal_email")->fired);
}

TEST(InternalEmail, TwoActivitiesFilterUntrackedMailBetweenUsersLikeAnyOther) {
  auto cache = users(/*ignore_internal_email=*/false);
  // bob takes only correlated mail: nothing to correlate with.
  auto d = decide(mail("carol@contoso.example", {"bob@contoso.example"}, "Lunch?",
                       "lunch@contoso.example"),
                  "k", cache, Policy{});
  EXPECT_EQ(d.reason, "NoCorrelationMatch");
  const Step* s = find_step(d, "internal_email");
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->fired);
  EXPECT_TRUE(contains(s->detail, "two activities")) << s->detail;
  // The support queue takes everything.
  d = decide(mail("carol@contoso.example", {"support@contoso.example"}, "Printer",
                  "printer@contoso.example"),
             "k", cache, Policy{});
  EXPECT_EQ(d.reason, "AcceptAll");
}

TEST(InternalEmail, AnOutsideRecipientKeepsTheSendersCopyTheOnlyOne) {
  auto cache = users(/*ignore_internal_email=*/false);
  auto d = decide(recipients_copy({"bob@contoso.example", "contact@customer.example"}), "k", cache,
                  Policy{});
  EXPECT_EQ(d.outcome, Outcome::Duplicate);
}

TEST(InternalEmail, OnlyASentCopyMakesASecondActivity) {
  auto cache = users(/*ignore_internal_email=*/false);
  cache.tracked.front().outgoing = false;  // the CRM's copy is itself a received e-mail
  auto d = decide(recipients_copy(), "k", cache, Policy{});
  EXPECT_EQ(d.outcome, Outcome::Duplicate);
}

TEST(InternalEmail, TheSecondActivityIsMadeOnce) {
  auto cache = users(/*ignore_internal_email=*/false);
  cache.ledger.insert("k");  // another recipient's mailbox brought it already
  auto d = decide(recipients_copy(), "k", cache, Policy{});
  EXPECT_EQ(d.outcome, Outcome::Duplicate);
  EXPECT_TRUE(find_step(d, "duplicate.ledger")->fired);
}

TEST(InternalEmail, AnAutoReplyBetweenUsersIsStillTossed) {
  auto cache = users(/*ignore_internal_email=*/false);
  auto m = recipients_copy();
  m.auto_submitted = "auto-replied";
  auto d = decide(m, "k", cache, Policy{});
  EXPECT_EQ(d.outcome, Outcome::Tossed);
  EXPECT_NE(d.reason, "InternalEmailSecondActivity");
}

}  // namespace
}  // namespace crmr
