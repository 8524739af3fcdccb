// Specification of correlation in decide(): In-Reply-To/References, tracking
// token, conversation index, smart matching; switches, precedence, regarding.
#include <gtest/gtest.h>

#include "core/decision/decision.h"
#include "tests/core/decision/decision_fixture.h"

namespace crmr {
namespace {

using test::contains;
using test::find_step;
using test::mail;
using test::MemoryCache;
using test::thread_index;
using test::Tracked;

// Bob is a CRM user who takes only correlated mail, so nothing but a
// correlation gets a message from a stranger in.
MemoryCache bobs_cache() {
  MemoryCache c;
  c.user("bob@contoso.example", "u-bob", 1);
  c.tracked.push_back(Tracked("act-irt")
                          .message_id("sent-1@contoso.example")
                          .subject("Quote 1234")
                          .outgoing(true)
                          .regarding_entity("opportunity")
                          .regarding_id("opp-1"));
  c.tracked.push_back(Tracked("act-token")
                          .tracking_token("CRM:0001005")
                          .subject("Quote 1234 CRM:0001005")
                          .regarding_entity("account")
                          .regarding_id("acc-1"));
  c.tracked.push_back(Tracked("act-conv")
                          .conversation_index(thread_index('T', 'x'))
                          .subject("Service visit"));
  c.tracked.push_back(Tracked("act-smart")
                          .subject("Annual maintenance contract renewal")
                          .recipients({"stranger@customer.example", "peer@customer.example"}));
  return c;
}

Message from_stranger(const std::string& subject = "Hello") {
  return mail("stranger@customer.example", {"bob@contoso.example"}, subject);
}

TEST(Correlation, UncorrelatedMailToACorrelatedOnlyUserIsNoCorrelationMatch) {
  auto cache = bobs_cache();
  auto d = decide(from_stranger(), "k", cache, Policy{});
  EXPECT_EQ(d.outcome, Outcome::Tossed);
  EXPECT_EQ(d.reason, "NoCorrelationMatch");
  EXPECT_EQ(d.correlation, Correlation::None);
}

TEST(Correlation, InReplyToATrackedMessage) {
  auto cache = bobs_cache();
  auto m = from_stranger();
  m.in_reply_to = {"sent-1@contoso.example"};
  auto d = decide(m, "k", cache, Policy{});
  EXPECT_TRUE(d.accepted);
  EXPECT_EQ(d.outcome, Outcome::Queued);
  EXPECT_EQ(d.reason, "CorrelationMatch");
  EXPECT_EQ(d.correlation, Correlation::InReplyTo);
  EXPECT_EQ(d.correlated_activity_id, "act-irt");
  auto* s = find_step(d, "correlation.in_reply_to");
  EXPECT_TRUE(s->fired);
  EXPECT_TRUE(contains(s->detail, "In-Reply-To <sent-1@contoso.example>"));
  EXPECT_TRUE(contains(s->detail, "act-irt"));
  EXPECT_FALSE(find_step(d, "correlation.tracking_token"));  // the first hit wins
}

TEST(Correlation, ReferencesCountAsInReplyTo) {
  auto cache = bobs_cache();
  auto m = from_stranger();
  m.in_reply_to = {"unknown@elsewhere.example"};
  m.references = {"sent-1@contoso.example", "unknown@elsewhere.example"};
  auto d = decide(m, "k", cache, Policy{});
  EXPECT_EQ(d.correlation, Correlation::InReplyTo);
  EXPECT_TRUE(contains(find_step(d, "correlation.in_reply_to")->detail, "References"));
}

TEST(Correlation, UnknownReferencesAreCounted) {
  auto cache = bobs_cache();
  auto m = from_stranger();
  m.in_reply_to = {"a@x.example"};
  m.references = {"b@x.example", "a@x.example"};
  auto d = decide(m, "k", cache, Policy{});
  EXPECT_TRUE(contains(find_step(d, "correlation.in_reply_to")->detail, "none of the 2"));
}

TEST(Correlation, TrackingTokenInTheSubject) {
  auto cache = bobs_cache();
  auto d = decide(from_stranger("RE: AW: Quote 1234 crm: 0001005"), "k", cache, Policy{});
  EXPECT_EQ(d.reason, "CorrelationMatch");
  EXPECT_EQ(d.correlation, Correlation::TrackingToken);
  EXPECT_EQ(d.correlated_activity_id, "act-token");
  EXPECT_TRUE(contains(find_step(d, "correlation.tracking_token")->detail, "CRM:0001005"));
}

TEST(Correlation, UnknownTokenIsNoCorrelationMatchNotAHit) {
  auto cache = bobs_cache();
  auto d = decide(from_stranger("Re: Quote CRM:0001999"), "k", cache, Policy{});
  auto* s = find_step(d, "correlation.tracking_token");
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->fired);
  EXPECT_TRUE(contains(s->detail, "NoCorrelationMatch"));
  EXPECT_TRUE(contains(s->detail, "CRM:0001999"));
  EXPECT_EQ(d.correlation, Correlation::None);
  EXPECT_TRUE(find_step(d, "correlation.conversation_index"));  // the search goes on
  EXPECT_EQ(d.reason, "NoCorrelationMatch");
}

TEST(Correlation, ForeignTokenIsIgnored) {
  auto cache = bobs_cache();
  cache.tracked.push_back(Tracked("act-acme").tracking_token("ACME:0001005"));
  auto d = decide(from_stranger("Re: Quote ACME:0001005"), "k", cache, Policy{});
  EXPECT_EQ(d.correlation, Correlation::None);
  EXPECT_TRUE(contains(find_step(d, "correlation.tracking_token")->detail, "no tracking token"));
}

TEST(Correlation, ConversationIndexOfATrackedMessage) {
  auto cache = bobs_cache();
  auto m = from_stranger();
  m.thread_index = thread_index('T', 'y');  // same conversation, another child block
  auto d = decide(m, "k", cache, Policy{});
  EXPECT_EQ(d.correlation, Correlation::ConversationIndex);
  EXPECT_EQ(d.correlated_activity_id, "act-conv");
  EXPECT_FALSE(d.regarding);
  EXPECT_FALSE(find_step(d, "correlation.regarding")->fired);
}

TEST(Correlation, UndecodableThreadIndexIsExplained) {
  auto cache = bobs_cache();
  auto m = from_stranger();
  m.thread_index = "not base64!";
  auto d = decide(m, "k", cache, Policy{});
  EXPECT_TRUE(contains(find_step(d, "correlation.conversation_index")->detail, "22 bytes"));
}

TEST(Correlation, SmartMatchingWhenTheOrganisationEnablesIt) {
  auto cache = bobs_cache();
  auto m = from_stranger("RE: Annual maintenance contract renewal");
  m.cc = {test::addr("peer@customer.example")};
  EXPECT_EQ(decide(m, "k", cache, Policy{}).correlation, Correlation::None);  // off by default

  cache.settings.smart_matching = true;
  auto d = decide(m, "k", cache, Policy{});
  EXPECT_EQ(d.correlation, Correlation::SmartMatch);
  EXPECT_EQ(d.correlated_activity_id, "act-smart");
  EXPECT_TRUE(contains(find_step(d, "correlation.smart_match")->detail, "2 address"));
}

TEST(Correlation, SmartMatchingPolicyOverridesTheOrganisation) {
  auto cache = bobs_cache();
  auto m = from_stranger("RE: Annual maintenance contract renewal");
  m.cc = {test::addr("peer@customer.example")};
  Policy on;
  on.smart_matching = true;
  EXPECT_EQ(decide(m, "k", cache, on).correlation, Correlation::SmartMatch);
  cache.settings.smart_matching = true;
  Policy off;
  off.smart_matching = false;
  auto d = decide(m, "k", cache, off);
  EXPECT_EQ(d.correlation, Correlation::None);
  EXPECT_TRUE(contains(find_step(d, "correlation.smart_match")->detail, "policy"));
}

TEST(Correlation, SmartMatchingNeedsEnoughAddressesAndCloseSubjects) {
  auto cache = bobs_cache();
  cache.settings.smart_matching = true;
  // Only one shared address (the sender), two are required.
  auto d = decide(from_stranger("Annual maintenance contract renewal"), "k", cache, Policy{});
  EXPECT_EQ(d.correlation, Correlation::None);
  EXPECT_TRUE(contains(find_step(d, "correlation.smart_match")->detail, "none close enough"));

  cache.settings.hash_min_address_count = 1;
  EXPECT_EQ(decide(from_stranger("Annual maintenance contract renewal"), "k", cache, Policy{})
                .correlation,
            Correlation::SmartMatch);
  // One word more: one subject-hash difference, none allowed by default.
  auto longer = from_stranger("Annual maintenance contract renewal 2027");
  EXPECT_EQ(decide(longer, "k", cache, Policy{}).correlation, Correlation::None);
  cache.settings.hash_delta_subject_count = 1;
  EXPECT_EQ(decide(longer, "k", cache, Policy{}).correlation, Correlation::SmartMatch);
}

TEST(Correlation, SmartMatchingPicksTheCandidateWithMostAddresses) {
  auto cache = bobs_cache();
  cache.settings.smart_matching = true;
  cache.settings.hash_min_address_count = 1;
  cache.tracked.insert(cache.tracked.begin(),
                       Tracked("act-fewer")
                           .subject("Annual maintenance contract renewal")
                           .recipients({"stranger@customer.example"}));
  auto m = from_stranger("Annual maintenance contract renewal");
  m.cc = {test::addr("peer@customer.example")};
  EXPECT_EQ(decide(m, "k", cache, Policy{}).correlated_activity_id, "act-smart");
}

TEST(Correlation, FirstMethodThatHitsWins) {
  auto cache = bobs_cache();
  cache.settings.smart_matching = true;
  cache.settings.hash_min_address_count = 1;
  auto m = from_stranger("Annual maintenance contract renewal CRM:0001005");
  m.in_reply_to = {"sent-1@contoso.example"};
  m.thread_index = thread_index('T');
  EXPECT_EQ(decide(m, "k", cache, Policy{}).correlation, Correlation::InReplyTo);
  m.in_reply_to.clear();
  EXPECT_EQ(decide(m, "k", cache, Policy{}).correlation, Correlation::TrackingToken);
  m.subject = "Annual maintenance contract renewal";
  EXPECT_EQ(decide(m, "k", cache, Policy{}).correlation, Correlation::ConversationIndex);
  m.thread_index.clear();
  EXPECT_EQ(decide(m, "k", cache, Policy{}).correlation, Correlation::SmartMatch);
}

TEST(Correlation, EachMethodCanBeSwitchedOff) {
  auto cache = bobs_cache();
  auto m = from_stranger("Re: Quote CRM:0001005");
  m.in_reply_to = {"sent-1@contoso.example"};
  m.thread_index = thread_index('T');

  Policy p;
  p.correlate_in_reply_to = false;
  auto d = decide(m, "k", cache, p);
  EXPECT_EQ(d.correlation, Correlation::TrackingToken);
  EXPECT_TRUE(contains(find_step(d, "correlation.in_reply_to")->detail, "switched off"));
  EXPECT_FALSE(find_step(d, "correlation.in_reply_to")->fired);

  p.correlate_tracking_token = false;
  d = decide(m, "k", cache, p);
  EXPECT_EQ(d.correlation, Correlation::ConversationIndex);
  EXPECT_TRUE(contains(find_step(d, "correlation.tracking_token")->detail, "switched off"));

  p.correlate_conversation_index = false;
  d = decide(m, "k", cache, p);
  EXPECT_EQ(d.correlation, Correlation::None);
  EXPECT_EQ(d.reason, "NoCorrelationMatch");
  EXPECT_TRUE(
      contains(find_step(d, "correlation.conversation_index")->detail, "switched off"));
}

TEST(Correlation, OrganisationCanSwitchCorrelationOff) {
  auto cache = bobs_cache();
  cache.settings.correlation_enabled = false;
  auto m = from_stranger("Re: Quote CRM:0001005");
  m.in_reply_to = {"sent-1@contoso.example"};
  auto d = decide(m, "k", cache, Policy{});
  EXPECT_EQ(d.correlation, Correlation::None);
  auto* s = find_step(d, "correlation");
  ASSERT_TRUE(s);
  EXPECT_TRUE(contains(s->detail, "emailcorrelationenabled"));
  EXPECT_FALSE(find_step(d, "correlation.in_reply_to"));
}

TEST(Correlation, RegardingIsInherited) {
  auto cache = bobs_cache();
  auto m = from_stranger();
  m.in_reply_to = {"sent-1@contoso.example"};
  auto d = decide(m, "k", cache, Policy{});
  ASSERT_TRUE(d.regarding);
  EXPECT_EQ(d.regarding->entity, "opportunity");
  EXPECT_EQ(d.regarding->id, "opp-1");
  EXPECT_TRUE(contains(find_step(d, "correlation.regarding")->detail, "opp-1"));

  d = decide(from_stranger("Re: CRM:0001005"), "k", cache, Policy{});
  ASSERT_TRUE(d.regarding);
  EXPECT_EQ(d.regarding->entity, "account");
}

TEST(Correlation, CorrelatedMailIsAcceptedWithoutRecipientsOrSender) {
  MemoryCache cache = bobs_cache();
  auto m = mail("", {"nobody@elsewhere.example"});
  m.in_reply_to = {"sent-1@contoso.example"};
  auto d = decide(m, "k", cache, Policy{});
  EXPECT_TRUE(d.accepted);
  EXPECT_EQ(d.reason, "CorrelationMatch");
  EXPECT_FALSE(find_step(d, "acceptance.recipients"));
  EXPECT_TRUE(find_step(d, "acceptance")->fired);
}

}  // namespace
}  // namespace crmr
